/**
 * `npm run testbed -- run <scenario> --kubernetes --namespace x`: renders the manifests
 * (render.ts) into <out>/manifests.yaml, applies them with kubectl, waits for the driver Job, and
 * writes the report it printed (report.ts) into <out>, the same three files as the local mode.
 * With --render-only it stops after writing the manifests.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Summary } from '../../report/summary.ts'
import type { Scenario } from '../../scenario/schema.ts'
import { NAMES, renderManifests, toYaml } from './render.ts'
import { decodeReport } from './report.ts'

const exec = promisify(execFile)

/** Options of a cluster run. */
export interface KubernetesOptions { namespace: string, out: string, renderOnly: boolean, image?: string, driverImage?: string, netemImage?: string }

/** kubectl failed (not installed, no cluster, the Job failed). */
export class KubectlError extends Error {
  override name = 'KubectlError'
}

async function kubectl (...args: string[]): Promise<string> {
  try {
    return (await exec('kubectl', args, { maxBuffer: 256 * 1024 * 1024 })).stdout
  } catch (err) {
    const e = err as { code?: string, stderr?: string, message: string }
    if (e.code === 'ENOENT') throw new KubectlError('kubectl not found: install it, or use --render-only and apply <out>/manifests.yaml yourself')
    throw new KubectlError(`kubectl ${args.slice(0, 3).join(' ')}: ${(e.stderr ?? e.message).trim().split('\n')[0]}`)
  }
}

/** Renders, applies and waits; resolves with the summary (undefined with renderOnly). */
export async function runKubernetes (scenario: Scenario, options: KubernetesOptions): Promise<Summary | undefined> {
  const objects = await renderManifests(scenario, options)
  mkdirSync(options.out, { recursive: true })
  const manifests = join(options.out, 'manifests.yaml')
  writeFileSync(manifests, toYaml(objects))
  process.stderr.write(`testbed: manifests in ${manifests}\n`)
  if (options.renderOnly) return undefined
  const ns = options.namespace
  await kubectl('apply', '-f', manifests)
  const timeout = `${Math.ceil(scenario.durationMs / 1000) + 600}s`
  await kubectl('-n', ns, 'wait', '--for=condition=complete', `job/${NAMES.job}`, `--timeout=${timeout}`)
  const files = decodeReport(await kubectl('-n', ns, 'logs', `job/${NAMES.job}`))
  for (const [name, content] of Object.entries(files)) writeFileSync(join(options.out, name), content)
  return JSON.parse(files['summary.json'] ?? 'null') as Summary
}
