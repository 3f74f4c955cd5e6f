/**
 * `sorcha-peer nat`: one address-and-NAT check from this host, printed for people or as JSON.
 * STUN servers and lookup URLs come from --stun / --http-lookup (which replace the configured lists)
 * or from the configuration (nat.stunServers, nat.httpLookup). With neither, only interfaces and the
 * configured overrides are reported: the command never picks a public server on its own.
 */
import type { Config } from '../../config/index.ts'
import { configureLogging } from '../../logging/index.ts'
import { detectNat, type DetectOptions, type NatReport } from '../../nat/detect.ts'
import { addressServiceInit } from '../../nat/index.ts'
import { configFromOptions } from '../config-flags.ts'

/** The check's inputs from the configuration (the same the address service uses). */
export function natCheckOptions (config: Readonly<Config>): DetectOptions {
  return addressServiceInit(config)
}

/** Human-readable lines for a report. */
export function formatReport (report: NatReport): string {
  const lines = ['interfaces:']
  for (const i of report.interfaces) lines.push(`  ${i.name.padEnd(10)} ${i.address} (IPv${i.family}, ${i.scope})${i.address === report.preferredAddress ? '  preferred' : ''}`)
  if (report.interfaces.length === 0) lines.push('  (none besides loopback and link-local)')
  lines.push(
    `external address: ${report.externalAddress ?? 'unknown'} (method: ${report.method})`,
    `mapped address:   ${report.mappedAddress ?? '-'}${report.stunServer === undefined ? '' : ` via STUN ${report.stunServer}`}`,
    `mapping:          ${report.mapping}`,
    `filtering:        ${report.filtering}`,
    `NAT type:         ${report.natType}${report.forced ? ' (forced by nat.forceType)' : ''}`
  )
  for (const p of report.problems) lines.push(`note: ${p}`)
  return lines.join('\n')
}

/** Runs one check with the configured (or --stun / --http-lookup) servers and prints the report. */
export async function runNat (options: Record<string, unknown>): Promise<void> {
  const stun = options.stun as string[] | undefined
  const lookup = options.httpLookup as string[] | undefined
  const config = await configFromOptions({
    ...options,
    ...(stun === undefined ? {} : { natStunServers: stun }),
    ...(lookup === undefined ? {} : { natHttpLookup: lookup })
  })
  configureLogging({ level: config.log.level, format: config.log.format })
  const report = await detectNat(natCheckOptions(config))
  process.stdout.write(options.json === true ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`)
}
