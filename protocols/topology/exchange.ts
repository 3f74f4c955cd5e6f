/**
 * Peer exchange (/sorcha/peer-exchange/1.0.0), the pure parts: what a responder sends and how a
 * requester judges the answer. Wire format: protos/sorcha/p2p/v1/peer_exchange.proto; rules: SPEC §5.
 */
import type { PeerRecord } from '../../protos/gen/sorcha/p2p/v1/peer_exchange.ts'
import type { Rng } from '../common/rng.ts'
import { isPeerId, MODEL_LIMITS } from '../models/index.ts'

/** Bounds of the exchange. */
export const EXCHANGE_LIMITS = Object.freeze({
  /** Most peers in one response, whatever the request asks. */
  maxPeers: 64,
  /** Most addresses per peer in a response. */
  maxAddressesPerPeer: 8,
  /** Largest encoded request accepted by a responder. */
  maxRequestBytes: 32,
  /** Largest encoded response accepted by a requester. */
  maxResponseBytes: 64 * 1024
})

/** Bounded reasons a response is rejected; they become metric labels. */
export type ExchangeRejectCode = 'too-many-peers' | 'bad-peer-id' | 'bad-address' | 'too-many-addresses' | 'undecodable'

/** A judged response: the usable peers, or a reject verdict against the responder. */
export type ExchangeJudgement =
  | { verdict: 'accept', peers: PeerRecord[] }
  | { verdict: 'reject', code: ExchangeRejectCode }

const MULTIADDR = /^(?:\/[^/\s]+)+$/

/**
 * The responder's answer: up to `max` (capped at EXCHANGE_LIMITS.maxPeers) peers drawn uniformly from
 * `known`, never the requester, each with at most maxAddressesPerPeer addresses. Random rather than
 * "best first" so that different askers learn different peers and knowledge spreads.
 */
export function chooseExchangePeers (known: readonly PeerRecord[], options: { max: number, requester: string, rng: Rng }): PeerRecord[] {
  const eligible = known.filter(p => p.peerId !== options.requester && p.addresses.length > 0)
  const count = Math.min(options.max, EXCHANGE_LIMITS.maxPeers)
  return options.rng.sample(eligible, count).map(p => ({ peerId: p.peerId, addresses: p.addresses.slice(0, EXCHANGE_LIMITS.maxAddressesPerPeer) }))
}

/**
 * Judges a response from `from` to a request for `asked` peers. Mentions of ourselves or of the
 * responder are dropped (harmless); anything malformed rejects the whole response.
 */
export function judgeExchangeResponse (peers: readonly PeerRecord[], options: { asked: number, self: string, from: string }): ExchangeJudgement {
  if (peers.length > Math.min(options.asked, EXCHANGE_LIMITS.maxPeers)) return { verdict: 'reject', code: 'too-many-peers' }
  const usable: PeerRecord[] = []
  for (const peer of peers) {
    if (!isPeerId(peer.peerId)) return { verdict: 'reject', code: 'bad-peer-id' }
    if (peer.addresses.length > EXCHANGE_LIMITS.maxAddressesPerPeer) return { verdict: 'reject', code: 'too-many-addresses' }
    if (peer.addresses.some(a => a.length > MODEL_LIMITS.maxAddressLength || !MULTIADDR.test(a))) return { verdict: 'reject', code: 'bad-address' }
    if (peer.peerId === options.self || peer.peerId === options.from || peer.addresses.length === 0) continue
    usable.push(peer)
  }
  return { verdict: 'accept', peers: usable }
}
