/**
 * The libp2p side of the address service: reading what AutoNAT has confirmed from the address
 * manager, and offering the external IP that STUN or an HTTP lookup found as a public address mapping
 * for AutoNAT to test.
 *
 * js-libp2p 3.3 facts this relies on (read from libp2p/dist/src/address-manager and @libp2p/autonat):
 * - `isPrivate` from @libp2p/utils counts 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 (documentation
 *   ranges) and 2001:db8::/32 as private, like RFC 1918. Private addresses are "verified" at once and
 *   AutoNAT never tests them; `addObservedAddr` silently drops them.
 * - An address added with `addPublicAddressMapping` has type 'ip-mapping': AutoNAT confirms it after ONE
 *   successful dial-back, and un-confirms it after EIGHT failed ones, each from a different network
 *   segment (first IPv4 octet of the verifying peer). Un-confirmed, it stays listed with verified=false
 *   and an expiry in the future (the retry time), which is how we tell "tested: unreachable" apart from
 *   "not tested yet" (expires = 0).
 */
import type { Multiaddr } from '@multiformats/multiaddr'
import { isPrivate } from '@libp2p/utils'
import { isIP } from 'node:net'

/** The part of libp2p's address manager this service uses (structural, as js-libp2p services do). */
export interface AddressManagerLike {
  getAddressesWithMetadata: () => Array<{ multiaddr: Multiaddr, verified: boolean, type: string, expires: number }>
  addPublicAddressMapping: (internalIp: string, internalPort: number, externalIp: string, externalPort?: number, protocol?: 'tcp' | 'udp') => void
  removePublicAddressMapping: (internalIp: string, internalPort: number, externalIp: string, externalPort?: number, protocol?: 'tcp' | 'udp') => void
}

/** What AutoNAT thinks: reachable from outside, not reachable, or not known yet. */
export type Reachability = 'public' | 'private' | 'unknown'

/** AutoNAT's view of our public addresses. */
export interface AutoNatView {
  reachability: Reachability
  /** Public addresses AutoNAT has confirmed (dialled back successfully). */
  confirmed: string[]
  /** Public addresses AutoNAT tested and found unreachable. */
  unreachable: string[]
  /** Public addresses waiting for AutoNAT. */
  untested: string[]
}

const safeIsPrivate = (ma: Multiaddr): boolean => { try { return isPrivate(ma) } catch { return true } }

/** Reads AutoNAT's verdicts from the address manager. Configured announce addresses do not count. */
export function readAutoNat (addressManager: AddressManagerLike, now = Date.now()): AutoNatView {
  const view: AutoNatView = { reachability: 'unknown', confirmed: [], unreachable: [], untested: [] }
  for (const a of addressManager.getAddressesWithMetadata()) {
    if (a.type === 'announce' || safeIsPrivate(a.multiaddr)) continue
    const text = a.multiaddr.toString()
    if (a.verified) view.confirmed.push(text)
    else if (a.expires > now) view.unreachable.push(text)
    else view.untested.push(text)
  }
  view.reachability = view.confirmed.length > 0 ? 'public' : view.unreachable.length > 0 ? 'private' : 'unknown'
  return view
}

/** One mapping offered to libp2p: our TCP listener -> the external IP, same port. */
export interface OfferedMapping {
  internalIp: string
  port: number
  externalIp: string
}

/** The TCP listeners an external IP should be mapped from: same family, not loopback, not the external IP itself. */
export function mappingsFor (addressManager: AddressManagerLike, externalIp: string): OfferedMapping[] {
  const family = isIP(externalIp)
  const out: OfferedMapping[] = []
  for (const a of addressManager.getAddressesWithMetadata()) {
    if (a.type !== 'transport') continue
    const parts = a.multiaddr.getComponents()
    const ip = parts.find(c => c.name === (family === 6 ? 'ip6' : 'ip4'))?.value
    const port = Number(parts.find(c => c.name === 'tcp')?.value)
    if (ip === undefined || !Number.isInteger(port) || port <= 0 || ip === externalIp) continue
    if (ip.startsWith('127.') || ip === '::1') continue
    if (!out.some(m => m.internalIp === ip && m.port === port)) out.push({ internalIp: ip, port, externalIp })
  }
  return out
}
