/**
 * Anti-entropy (SPEC.md §3.4, §6.6): a node periodically sends one random neighbour a Bloom-filter
 * summary of the transactions it holds; the neighbour answers with an inv of those it holds that the
 * summary lacks, and the normal getdata path fetches them. A fresh salt per summary makes a false
 * positive in one round independent of the next, so a transaction masked once is offered later.
 */
import { BloomFilter } from './bloom-filter.ts'
import { entryHops, entrySize } from './recent.ts'
import type { CoreState, Effects } from './state.ts'
import { verdict } from './state.ts'
import type { InvItem, PeerHandle } from './types.ts'

/** True if this core runs anti-entropy at all. */
export function antiEntropyEnabled (state: CoreState): boolean {
  const { config } = state
  return config.mode === 'announce' && (config.antiEntropyIntervalMs > 0 || config.antiEntropyOnConnect)
}

/** Sends `peer` a summary of the held transactions. */
export function sendSummary (state: CoreState, peer: PeerHandle, out: Effects): void {
  const { recent, config, rng } = state
  const filter = BloomFilter.create(Math.max(1, recent.size), config.summaryFpRate, rng.int(0x100000000))
  for (const [id] of recent.entries()) filter.add(id)
  state.summariesSent++
  out.push({ type: 'send', peer, message: { type: 'summary', filter } })
}

/** Draws the time of the next periodic round: interval x U[0.5, 1.5) after `now`, so rounds do not synchronise. */
export function scheduleRound (state: CoreState, now: number): void {
  const interval = state.config.antiEntropyIntervalMs
  state.nextAntiEntropyAt = interval > 0 ? now + Math.round(interval * (0.5 + state.rng.next())) : undefined
  state.wakeStale = true
}

/** Runs the periodic round if it is due. */
export function runRoundIfDue (state: CoreState, now: number, out: Effects): void {
  if (state.nextAntiEntropyAt === undefined || now < state.nextAntiEntropyAt) return
  scheduleRound(state, now)
  const peer = state.rng.pick(state.neighbours.all())
  if (peer === undefined) return
  out.push({ type: 'trace', event: 'anti-entropy-round', data: { peer, held: state.recent.size } })
  sendSummary(state, peer, out)
}

/** A summary from `from`: offer what it lacks, at most maxItemsPerMessage, oldest first. */
export function onSummary (state: CoreState, from: PeerHandle, filter: BloomFilter, now: number, out: Effects): void {
  const { config, neighbours: peers } = state
  if (!antiEntropyEnabled(state) || !peers.has(from)) return verdict(state, out, from, 'ignore', 'unexpected-summary')
  if (now - peers.lastSummaryAt(from) < config.minSummaryGapMs) return verdict(state, out, from, 'ignore', 'summary-too-frequent')
  peers.markSummary(from, now)
  const items: InvItem[] = []
  // Register scoping (SPEC.md §3.7): each item names its register, and none of a register the peer
  // is known not to serve is offered.
  const scope = state.scope
  for (const [id, entry] of state.recent.entries()) {
    if (filter.has(id)) continue
    const register = scope?.registerOf(id)
    if (register !== undefined && scope?.mayWant(from, register) === false) continue
    const hops = Math.min(255, entryHops(entry) + 1)
    items.push(register === undefined ? { id, size: entrySize(entry), hops } : { id, size: entrySize(entry), hops, register })
    if (items.length >= config.maxItemsPerMessage) break
  }
  if (items.length === 0) return
  out.push({ type: 'trace', event: 'anti-entropy-reply', data: { peer: from, offered: items.length } })
  out.push({ type: 'send', peer: from, message: { type: 'inv', items } })
}
