/**
 * Interface detection: every non-loopback, non-link-local IPv4 and IPv6 address of this host, and the
 * preferred one. The interface list is injectable (tests pass a fixed one).
 *
 * Preferred-address rule, first match wins:
 *   1. a global IPv4 address, 2. a private IPv4 address (RFC 1918, RFC 6598 shared space),
 *   3. a global IPv6 address, 4. a unique-local IPv6 address (fc00::/7);
 * ties go to the interface listed first by the OS, then to its first address. IPv4 first because a
 * peer is likelier to reach it (many networks still lack IPv6), global first because it needs no NAT.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os'
import { canonicalIp } from '../../protocols/stun/index.ts'

/** One usable local address. */
export interface InterfaceAddress {
  name: string
  address: string
  family: 4 | 6
  /** 'private': RFC 1918 / RFC 6598 IPv4 or fc00::/7 IPv6; 'global': anything else that survived the filter. */
  scope: 'global' | 'private'
}

/** The shape of os.networkInterfaces(). */
export type InterfaceSource = () => NodeJS.Dict<NetworkInterfaceInfo[]>

function v4Octets (address: string): number[] {
  return address.split('.').map(Number)
}

function excluded (info: NetworkInterfaceInfo, address: string, family: 4 | 6): boolean {
  if (info.internal) return true
  if (family === 4) {
    const [a, b] = v4Octets(address)
    return a === 127 || a === 0 || (a === 169 && b === 254)
  }
  return address === '::1' || address === '::' || /^fe[89ab]/.test(address)
}

function scopeOf (address: string, family: 4 | 6): InterfaceAddress['scope'] {
  if (family === 6) return /^f[cd]/.test(address) ? 'private' : 'global'
  const [a, b] = v4Octets(address) as [number, number]
  const isPrivate = a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)
  return isPrivate ? 'private' : 'global'
}

/** Every usable address, in OS order. */
export function listInterfaceAddresses (source: InterfaceSource = networkInterfaces): InterfaceAddress[] {
  const out: InterfaceAddress[] = []
  for (const [name, infos] of Object.entries(source())) {
    for (const info of infos ?? []) {
      const family = info.family === 'IPv6' || (info.family as unknown) === 6 ? 6 : 4
      const address = canonicalIp(info.address.split('%')[0] as string)
      if (address === undefined || excluded(info, address, family)) continue
      out.push({ name, address, family, scope: scopeOf(address, family) })
    }
  }
  return out
}

const RANK = (a: InterfaceAddress): number => (a.family === 4 ? 0 : 2) + (a.scope === 'global' ? 0 : 1)

/** The preferred address by the rule above; undefined if there is none. */
export function preferredAddress (addresses: readonly InterfaceAddress[]): InterfaceAddress | undefined {
  let best: InterfaceAddress | undefined
  for (const a of addresses) if (best === undefined || RANK(a) < RANK(best)) best = a
  return best
}
