/**
 * Peer exchange (/sorcha/peer-exchange/1.0.0), the pure parts: what a responder sends and how a
 * requester judges the answer. Wire format: protos/sorcha/p2p/v1/peer_exchange.proto; rules: SPEC §5.
 */
import { PeerRecord } from '../../protos/gen/sorcha/p2p/v1/peer_exchange.ts'
import type { Rng } from '../common/rng.ts'
import { isPeerId, MODEL_LIMITS, validateCapabilities, type PeerCapabilities } from '../models/index.ts'

/** Largest encoded peer record (PeerCapabilities) one side advertises of itself: 1,024 register ids of 128 characters and more fit. */
const MAX_ADVERT_BYTES = 160 * 1024
/** Budget of the peers part of a response (the responder stops adding peers before it). */
const PEERS_BUDGET_BYTES = 64 * 1024

/** Bounds of the exchange. */
export const EXCHANGE_LIMITS = Object.freeze({
  /** Most peers in one response, whatever the request asks. */
  maxPeers: 64,
  /** Most addresses per peer in a response. */
  maxAddressesPerPeer: 8,
  /** Largest encoded advertisement (a side's own record, PeerCapabilities). */
  maxAdvertBytes: MAX_ADVERT_BYTES,
  /** Most registers passed on as hearsay per peer; a peer serving more is passed on without its record. */
  maxHearsayRegisters: 64,
  /** Encoded bytes of the peers a responder sends, at most. */
  peersBudgetBytes: PEERS_BUDGET_BYTES,
  /** Largest encoded request accepted by a responder: max_peers and the asker's record. */
  maxRequestBytes: MAX_ADVERT_BYTES + 32,
  /** Largest encoded response accepted by a requester: the peers and the responder's record. */
  maxResponseBytes: MAX_ADVERT_BYTES + PEERS_BUDGET_BYTES + 32
})

/** Bounded reasons a response is rejected; they become metric labels. */
export type ExchangeRejectCode = 'too-many-peers' | 'bad-peer-id' | 'bad-address' | 'too-many-addresses' | 'bad-record' | 'undecodable'

/** A judged response: the usable peers and the responder's own record (undefined: none sent), or a reject verdict against the responder. */
export type ExchangeJudgement =
  | { verdict: 'accept', peers: PeerRecord[], self?: PeerCapabilities }
  | { verdict: 'reject', code: ExchangeRejectCode }

/**
 * The part of capabilities a peer record carries on the wire (SPEC §8): registers, allRegisters,
 * roles and the record's version; protocols and the transaction size come from identify and are left out.
 */
export function advertisedRecord (caps: PeerCapabilities): PeerCapabilities {
  return { protocols: [], registers: caps.registers, allRegisters: caps.allRegisters, roles: caps.roles, maxTransactionBytes: 0, recordSeq: caps.recordSeq }
}

/** True when a record says which registers the peer serves (some, or every one). */
export const knowsRegisters = (caps: PeerCapabilities | undefined): caps is PeerCapabilities =>
  caps !== undefined && (caps.registers.length > 0 || caps.allRegisters)

/** True when a record says the peer serves `registerId` (listed, or every register). */
export const servesRegister = (caps: PeerCapabilities | undefined, registerId: string): boolean =>
  caps !== undefined && (caps.allRegisters || caps.registers.includes(registerId))

/** A side's own record as received: undefined when absent, 'bad' when invalid, else its advertised part. */
export function judgeAdvert (caps: PeerCapabilities | undefined): PeerCapabilities | undefined | 'bad' {
  if (caps === undefined) return undefined
  return validateCapabilities(caps).ok ? advertisedRecord(caps) : 'bad'
}

/** Encoded size of a record inside a response (field tag and length included). */
const recordBytes = (record: PeerRecord): number => {
  const n = PeerRecord.encode(record).finish().length
  return n + 1 + (n < 128 ? 1 : n < 16_384 ? 2 : 3)
}

const MULTIADDR = /^(?:\/[^/\s]+)+$/

/**
 * The responder's answer: up to `max` (capped at EXCHANGE_LIMITS.maxPeers) peers drawn uniformly from
 * `known`, never the requester, each with at most maxAddressesPerPeer addresses. Random rather than
 * "best first" so that different askers learn different peers and knowledge spreads.
 */
export function chooseExchangePeers (known: ReadonlyArray<{ peerId: string, addresses: string[], capabilities?: PeerCapabilities | undefined }>, options: { max: number, requester: string, rng: Rng }): PeerRecord[] {
  const eligible = known.filter(p => p.peerId !== options.requester && p.addresses.length > 0)
  const count = Math.min(options.max, EXCHANGE_LIMITS.maxPeers)
  const out: PeerRecord[] = []
  let budget = EXCHANGE_LIMITS.peersBudgetBytes
  // Each peer with what we know it serves (if few enough registers), else without; none once the budget is spent.
  for (const p of options.rng.sample(eligible, count)) {
    const bare = { peerId: p.peerId, addresses: p.addresses.slice(0, EXCHANGE_LIMITS.maxAddressesPerPeer), capabilities: undefined }
    const caps = p.capabilities
    const full = knowsRegisters(caps) && caps.registers.length <= EXCHANGE_LIMITS.maxHearsayRegisters ? { ...bare, capabilities: advertisedRecord(caps) } : undefined
    const record = [full, bare].find(r => r !== undefined && recordBytes(r) <= budget)
    if (record === undefined) break
    budget -= recordBytes(record)
    out.push(record)
  }
  return out
}

/**
 * Judges a response from `from` to a request for `asked` peers. Mentions of ourselves or of the
 * responder are dropped (harmless); anything malformed rejects the whole response.
 */
export function judgeExchangeResponse (peers: readonly PeerRecord[], options: { asked: number, self: string, from: string, record?: PeerCapabilities }): ExchangeJudgement {
  if (peers.length > Math.min(options.asked, EXCHANGE_LIMITS.maxPeers)) return { verdict: 'reject', code: 'too-many-peers' }
  const self = judgeAdvert(options.record)
  if (self === 'bad') return { verdict: 'reject', code: 'bad-record' }
  const usable: PeerRecord[] = []
  for (const peer of peers) {
    if (!isPeerId(peer.peerId)) return { verdict: 'reject', code: 'bad-peer-id' }
    if (peer.addresses.length > EXCHANGE_LIMITS.maxAddressesPerPeer) return { verdict: 'reject', code: 'too-many-addresses' }
    if (peer.addresses.some(a => a.length > MODEL_LIMITS.maxAddressLength || !MULTIADDR.test(a))) return { verdict: 'reject', code: 'bad-address' }
    const caps = judgeAdvert(peer.capabilities)
    if (caps === 'bad' || (caps !== undefined && caps.registers.length > EXCHANGE_LIMITS.maxHearsayRegisters)) return { verdict: 'reject', code: 'bad-record' }
    if (peer.peerId === options.self || peer.peerId === options.from || peer.addresses.length === 0) continue
    usable.push({ ...peer, capabilities: caps })
  }
  return self === undefined ? { verdict: 'accept', peers: usable } : { verdict: 'accept', peers: usable, self }
}
