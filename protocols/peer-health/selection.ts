/**
 * Which peers to health-check this round, and which peer to evict when the list is full
 * (SPEC.md §5 and §6). Both take their candidates as input, so the adapter decides how to fetch them
 * (from an index) and the rule stays the same in the node and the simulator.
 */
import type { Rng } from '../common/rng.ts'
import type { PeerNode } from '../models/index.ts'
import { EVICTION_RANK } from './constants.ts'
import { isBanActive, seenMs } from './transitions.ts'

/** Inputs of a health-check sample. */
export interface SampleOptions {
  now: number
  /** Most peers to pick (`health.sampleSize`). */
  size: number
  /** When the monitor last checked a peer, if it remembers; a checked peer counts as fresh until then. */
  lastCheckedMs?: (peerId: string) => number | undefined
  /** Shuffles peers of equal staleness; without it ties go by peer id. */
  rng?: Rng
  /** Whether the node holds a connection to a peer; with `maxProbes`, bounds the dials a round makes. */
  isConnected?: (peerId: string) => boolean
  /**
   * Most peers without a connection to check per round (each check of one is a dial and a handshake,
   * ~20 ms of CPU, where a ping over an open connection costs well under one). @default unlimited
   */
  maxProbes?: number
}

/**
 * Up to `size` peers, stalest first: staleness is the latest of last seen (or first heard of) and last
 * checked, so a peer that keeps failing does not hog every round. Peers under an active ban are skipped,
 * and at most `maxProbes` of the sample are peers without a connection (the rest wait for later rounds).
 */
export function selectHealthSample (candidates: readonly PeerNode[], options: SampleOptions): PeerNode[] {
  const eligible = candidates.filter(node => !isBanActive(node, options.now))
  const ordered = options.rng === undefined
    ? eligible.sort((a, b) => a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0)
    : options.rng.shuffle(eligible)
  const freshness = new Map(ordered.map(node => [node.peerId, Math.max(seenMs(node), options.lastCheckedMs?.(node.peerId) ?? 0)]))
  // Array.prototype.sort is stable, so equal staleness keeps the tie order chosen above.
  const stalestFirst = ordered.sort((a, b) => (freshness.get(a.peerId) ?? 0) - (freshness.get(b.peerId) ?? 0))
  const sample: PeerNode[] = []
  let probes = 0
  for (const node of stalestFirst) {
    if (sample.length >= options.size) break
    const probe = options.isConnected !== undefined && !options.isConnected(node.peerId)
    if (probe && probes >= (options.maxProbes ?? Number.POSITIVE_INFINITY)) continue
    if (probe) probes++
    sample.push(node)
  }
  return sample
}

/** The eviction value of a record: compared as a tuple, lower is evicted first. undefined = never evicted. */
export function evictionValue (node: PeerNode, now: number): [rank: number, score: number, seen: number] | undefined {
  if (isBanActive(node, now)) return undefined
  return [EVICTION_RANK[node.status] ?? 0, node.score, seenMs(node)]
}

function compareValues (a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

/** The lowest-valued candidate not under an active ban (see chooseEviction for the order); undefined if none. */
export function lowestValued (candidates: readonly PeerNode[], now: number, except?: string): PeerNode | undefined {
  let victim: PeerNode | undefined
  let lowest: number[] | undefined
  for (const node of candidates) {
    if (node.peerId === except) continue
    const value = evictionValue(node, now)
    if (value === undefined) continue
    if (lowest === undefined || compareValues(value, lowest) < 0) {
      victim = node
      lowest = value
    }
  }
  return victim
}

/**
 * The entry to evict so that `newcomer` fits into a full list, or undefined to refuse the newcomer.
 * The lowest-valued candidate (status rank: unreachable < degraded < unknown/connecting < healthy;
 * then score; then the stalest) goes, but only if it is worth strictly less than the newcomer.
 * An entry under an active ban is never chosen: bans must survive a flood of new peers.
 */
export function chooseEviction (candidates: readonly PeerNode[], newcomer: PeerNode, now: number): PeerNode | undefined {
  const incoming = evictionValue(newcomer, now)
  if (incoming === undefined) return undefined
  const victim = lowestValued(candidates, now, newcomer.peerId)
  const value = victim === undefined ? undefined : evictionValue(victim, now)
  return value !== undefined && compareValues(value, incoming) < 0 ? victim : undefined
}
