/**
 * One address-and-NAT check, without libp2p: interfaces, then the sources in order of precedence:
 * configuration (announce addresses, a forced NAT type) > STUN (RFC 8489 + RFC 5780) > HTTP lookup.
 * The CLI prints this; the address service adds the AutoNAT tier on top.
 */
import { multiaddr } from '@multiformats/multiaddr'
import {
  formatEndpoint, type ClassicNatType, type FilteringBehaviour, type MappingBehaviour, type TransactionTiming
} from '../../protocols/stun/index.ts'
import { httpLookup } from './http-lookup.ts'
import { listInterfaceAddresses, preferredAddress, type InterfaceAddress, type InterfaceSource } from './interfaces.ts'
import { discoverWithStun } from './stun-discovery.ts'
import type { SocketFactory } from './udp-socket.ts'

/** Which source decided the external address. */
export type AddressMethod = 'config' | 'stun' | 'http' | 'autonat' | 'none'

/** The result of a check. */
export interface NatReport {
  interfaces: InterfaceAddress[]
  preferredAddress?: string
  /** The external (public) IP, if any source found one. */
  externalAddress?: string
  method: AddressMethod
  mapping: MappingBehaviour
  filtering: FilteringBehaviour
  natType: ClassicNatType
  /** True when natType comes from nat.forceType. */
  forced: boolean
  /** What STUN test I saw, "ip:port". */
  mappedAddress?: string
  stunServer?: string
  httpLookupUrl?: string
  behaviourTestsSupported: boolean
  problems: string[]
}

/** Inputs of a check. */
export interface DetectOptions {
  stunServers?: readonly string[]
  httpLookup?: readonly string[]
  /** 'auto' or a classic NAT name. */
  forceType?: string
  /** Configured announce multiaddrs; their IP overrides every detected one. */
  announce?: readonly string[]
  behaviourTests?: boolean
  timing?: TransactionTiming
  httpTimeoutMs?: number
  interfaces?: InterfaceSource
  socketFactory?: SocketFactory
  fetch?: typeof fetch
  signal?: AbortSignal
}

/** Behaviours implied by a forced classic type (RFC 5780 §1 / RFC 4787 correspondences). */
const FORCED: Record<string, [MappingBehaviour, FilteringBehaviour]> = {
  'open-internet': ['no-nat', 'endpoint-independent'],
  'symmetric-udp-firewall': ['no-nat', 'address-and-port-dependent'],
  'full-cone': ['endpoint-independent', 'endpoint-independent'],
  'restricted-cone': ['endpoint-independent', 'address-dependent'],
  'port-restricted-cone': ['endpoint-independent', 'address-and-port-dependent'],
  symmetric: ['address-and-port-dependent', 'address-and-port-dependent'],
  'udp-blocked': ['unknown', 'unknown']
}

/** The IP of the first announce multiaddr that has one. */
export function announcedIp (announce: readonly string[]): string | undefined {
  for (const text of announce) {
    try {
      const ip = multiaddr(text).getComponents().find(c => c.name === 'ip4' || c.name === 'ip6')?.value
      if (ip !== undefined) return ip
    } catch { /* validated by the config schema; ignore here */ }
  }
  return undefined
}

async function stunAndHttp (report: NatReport, options: DetectOptions): Promise<void> {
  const servers = options.stunServers ?? []
  if (servers.length > 0) {
    const stun = await discoverWithStun({
      servers, localAddresses: report.interfaces.map(i => i.address), behaviourTests: options.behaviourTests ?? true,
      ...(options.timing === undefined ? {} : { timing: options.timing }),
      ...(options.socketFactory === undefined ? {} : { socketFactory: options.socketFactory }),
      ...(options.signal === undefined ? {} : { signal: options.signal })
    })
    report.problems.push(...stun.problems)
    Object.assign(report, { mapping: stun.behaviour.mapping, filtering: stun.behaviour.filtering, natType: stun.behaviour.natType, behaviourTestsSupported: stun.behaviour.behaviourTestsSupported })
    if (stun.server !== undefined) report.stunServer = stun.server
    if (stun.behaviour.mappedAddress !== undefined) {
      report.mappedAddress = formatEndpoint(stun.behaviour.mappedAddress)
      if (report.method === 'none') Object.assign(report, { method: 'stun', externalAddress: stun.behaviour.mappedAddress.address })
    }
  }
  const urls = options.httpLookup ?? []
  if (report.method !== 'none' || urls.length === 0) return
  try {
    const found = await httpLookup(urls, {
      ...(options.httpTimeoutMs === undefined ? {} : { timeoutMs: options.httpTimeoutMs }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.signal === undefined ? {} : { signal: options.signal })
    })
    Object.assign(report, { method: 'http', externalAddress: found.address, httpLookupUrl: found.url })
  } catch (err) {
    if (options.signal?.aborted === true) throw err
    report.problems.push(...((err as { reasons?: string[] }).reasons ?? [(err as Error).message]))
  }
}

/** Runs one check. Never throws for network trouble (that lands in `problems`); throws only on abort. */
export async function detectNat (options: DetectOptions = {}): Promise<NatReport> {
  const interfaces = listInterfaceAddresses(options.interfaces)
  const preferred = preferredAddress(interfaces)
  const report: NatReport = {
    interfaces, method: 'none', mapping: 'unknown', filtering: 'unknown', natType: 'unknown', forced: false, behaviourTestsSupported: false, problems: [],
    ...(preferred === undefined ? {} : { preferredAddress: preferred.address })
  }
  const announced = announcedIp(options.announce ?? [])
  if (announced !== undefined) Object.assign(report, { method: 'config', externalAddress: announced })
  await stunAndHttp(report, options)
  const forced = FORCED[options.forceType ?? 'auto']
  if (forced !== undefined) Object.assign(report, { forced: true, natType: options.forceType, mapping: forced[0], filtering: forced[1] })
  return report
}
