/**
 * Merging an observation of a peer into its record (SPEC.md §2).
 *
 * The rule that matters most: hearsay (a DHT answer, another peer's list) may add addresses and fill
 * in missing capabilities, but never touches status, last-seen, the failure count or a ban. The
 * original .NET implementation replaced the whole record with a third party's advertisement, which let
 * any peer make a dead or banned peer look fresh again.
 */
import {
  MODEL_LIMITS, PeerNode, PeerSource, PeerStatus, isPeerId, validateCapabilities, type PeerCapabilities
} from '../models/index.ts'
import { applySuccess, isBanActive } from './transitions.ts'
import { withScore } from './peer-score.ts'

/** Something the node observed about a peer (same shape as src/peers PeerObservation). */
export interface Observation {
  peerId: string
  addresses: string[]
  source: PeerSource
  /** True when the peer itself talks to us; false for hearsay. */
  firsthand: boolean
  learnedFrom?: string
  capabilities?: PeerCapabilities
  /**
   * The capabilities' registers, allRegisters and roles are the peer's whole advertised record (its
   * peer-exchange advertisement, topology SPEC §8): they replace what was known even when empty.
   * Without it an empty field means "not said" (identify reports protocols only).
   */
  fullRecord?: boolean
  now: number
}

/** The outcome of a merge. */
export type MergeResult =
  | { ok: true, node: PeerNode, added: boolean }
  | { ok: false, reason: 'self' | 'invalid-peer-id' | 'invalid-time' }

/** Same syntax rule as validatePeerNode's addresses: /proto/value segments, bounded length. */
const MULTIADDR = /^(?:\/[^/\s]+)+$/
/** An address ending in some other peer's id is not this peer's address (relay addresses end in /p2p-circuit). */
const OTHER_PEER = /\/p2p\/[^/]+$/

/** Cleans advertised addresses: drops the peer's own /p2p/ suffix, malformed and over-long ones, duplicates; bounded. */
export function cleanAddresses (peerId: string, addresses: readonly string[]): string[] {
  const suffix = `/p2p/${peerId}`
  const out = new Set<string>()
  for (const raw of addresses.slice(0, MODEL_LIMITS.maxAddresses * 2)) {
    const address = raw.endsWith(suffix) ? raw.slice(0, -suffix.length) : raw
    if (address.length > 0 && address.length <= MODEL_LIMITS.maxAddressLength && MULTIADDR.test(address) && !OTHER_PEER.test(address)) out.add(address)
    if (out.size === MODEL_LIMITS.maxAddresses) break
  }
  return [...out]
}

/** `first` then the rest of `second`, deduplicated, at most maxAddresses. */
function mergeAddressLists (first: readonly string[], second: readonly string[]): string[] {
  return [...new Set([...first, ...second])].slice(0, MODEL_LIMITS.maxAddresses)
}

/** Valid capabilities as the peer list keeps them: without a record version, which orders one peer's own records in transit only (topology SPEC §8). */
function validCapabilities (caps: PeerCapabilities | undefined): PeerCapabilities | undefined {
  if (caps === undefined || !validateCapabilities(caps).ok) return undefined
  return caps.recordSeq === 0 ? caps : { ...caps, recordSeq: 0 }
}

/** True when the capabilities say something about the registers served. */
const saysRegisters = (caps: PeerCapabilities): boolean => caps.registers.length > 0 || caps.allRegisters

/**
 * What the peer says about itself, field by field: an empty field means "not said" (identify reports
 * protocols but not registers or roles), so it keeps what we knew; a full record (the peer's own
 * advertisement) replaces registers, allRegisters and roles whatever they hold.
 */
function mergeOwnCapabilities (known: PeerCapabilities | undefined, said: PeerCapabilities | undefined, fullRecord: boolean): PeerCapabilities | undefined {
  const valid = validCapabilities(said)
  if (valid === undefined || known === undefined) return valid ?? known
  const registers = fullRecord || saysRegisters(valid) ? valid : known
  return {
    protocols: valid.protocols.length > 0 ? valid.protocols : known.protocols,
    registers: registers.registers,
    allRegisters: registers.allRegisters,
    roles: fullRecord || valid.roles.length > 0 ? valid.roles : known.roles,
    maxTransactionBytes: valid.maxTransactionBytes > 0 ? valid.maxTransactionBytes : known.maxTransactionBytes,
    recordSeq: 0
  }
}

/**
 * Hearsay fills in what is not known: the whole record when none is, else the registers (and roles)
 * when nothing is known of them. Of a peer never seen firsthand, a newer report of its registers
 * replaces an older one (both are hearsay; the peer may have changed its set). It never overrides
 * what a peer seen firsthand said.
 */
function mergeHearsayCapabilities (known: PeerCapabilities | undefined, heard: PeerCapabilities | undefined, seenFirsthand: boolean): PeerCapabilities | undefined {
  const valid = validCapabilities(heard)
  if (valid === undefined || known === undefined) return known ?? valid
  if (!saysRegisters(valid) || (saysRegisters(known) && seenFirsthand)) return known
  return { ...known, registers: valid.registers, allRegisters: valid.allRegisters, roles: known.roles.length > 0 ? known.roles : valid.roles }
}

function cleanLearnedFrom (obs: Observation): string {
  return obs.learnedFrom !== undefined && isPeerId(obs.learnedFrom) && obs.learnedFrom !== obs.peerId ? obs.learnedFrom : ''
}

function createRecord (obs: Observation, addresses: string[]): PeerNode {
  const fresh = PeerNode.fromPartial({
    peerId: obs.peerId,
    addresses,
    capabilities: validCapabilities(obs.capabilities),
    status: PeerStatus.PEER_STATUS_UNKNOWN,
    firstSeenMs: obs.now,
    source: obs.source,
    learnedFrom: obs.firsthand ? '' : cleanLearnedFrom(obs)
  })
  return obs.firsthand ? applySuccess(fresh, { now: obs.now }) : withScore(fresh)
}

/**
 * Merges `obs` into `existing` (undefined for a peer not yet known). `selfId` is this node's own peer
 * id: observations of ourselves are refused.
 *
 * - addresses: newest first, bounded by MODEL_LIMITS.maxAddresses. Hearsay about a peer that has been
 *   seen firsthand only fills free slots: a third party cannot push out what the peer told us itself.
 * - capabilities: firsthand replaces each field it fills (empty = not said; a full record replaces
 *   registers and roles even when empty); hearsay only fills in what is not known.
 * - source/learnedFrom: where we first learned of the peer; kept, unless it was unknown.
 * - firsthand: counts as a success (HEALTHY, failures 0, last seen = now) unless a ban is active.
 * - hearsay: status, last-seen, failures, latency and bans are never touched.
 */
export function mergeObservation (existing: PeerNode | undefined, obs: Observation, selfId: string): MergeResult {
  if (obs.peerId === selfId) return { ok: false, reason: 'self' }
  if (!isPeerId(obs.peerId)) return { ok: false, reason: 'invalid-peer-id' }
  if (!Number.isSafeInteger(obs.now) || obs.now <= 0) return { ok: false, reason: 'invalid-time' }
  const addresses = cleanAddresses(obs.peerId, obs.addresses)
  if (existing === undefined) return { ok: true, node: createRecord(obs, addresses), added: true }

  const seenFirsthand = existing.lastSeenMs > 0
  const merged: PeerNode = {
    ...existing,
    addresses: obs.firsthand || !seenFirsthand
      ? mergeAddressLists(addresses, existing.addresses)
      : mergeAddressLists(existing.addresses, addresses),
    capabilities: obs.firsthand
      ? mergeOwnCapabilities(existing.capabilities, obs.capabilities, obs.fullRecord === true)
      : mergeHearsayCapabilities(existing.capabilities, obs.capabilities, seenFirsthand)
  }
  if (existing.source === PeerSource.PEER_SOURCE_UNKNOWN && obs.source !== PeerSource.PEER_SOURCE_UNKNOWN) {
    merged.source = obs.source
    merged.learnedFrom = obs.firsthand ? '' : cleanLearnedFrom(obs)
  }
  if (!obs.firsthand || isBanActive(existing, obs.now)) return { ok: true, node: merged, added: false }
  return { ok: true, node: applySuccess(merged, { now: obs.now }), added: false }
}
