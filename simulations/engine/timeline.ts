/**
 * The run's timeline: who publishes which transaction when, who joins (linked to whom), who leaves
 * or crashes, and when their neighbours hear of it. None of it depends on what the protocol does,
 * only on the plan and the seed, so it is computed once, before the run, and every worker of a
 * parallel run computes the same one (engine/parallel.ts). The engine then replays it as events,
 * each on the node it concerns.
 */
import { layoutOf } from './registers.ts'
import { createRng, type Rng } from '../../protocols/common/rng.ts'
import type { NetworkModel } from '../network/network-model.ts'
import { TIMELINE_ORIGIN, type EventKeys } from './event-keys.ts'
import { LiveSet } from './live-set.ts'
import type { AttackerBehaviour, ChurnEvent, RunPlan } from './plan.ts'
import type { SimTransaction } from './types.ts'
import { Workload } from './workload.ts'

/** Kinds of timeline events (the engine's event kinds for them). */
export const TL_PUBLISH = 4
export const TL_CREATE = 5
export const TL_REMOVE = 6
export const TL_PEER_DOWN = 7
export const TL_PEER_UP = 8
/** A peer came up on a connection this node opened (a node back from an offline window redials). */
export const TL_PEER_UP_OUT = 9

/** An offline window as it happened: the nodes that were cut off (ascending). */
export interface OfflineWindow {
  readonly fromMs: number
  readonly toMs: number
  readonly nodes: Int32Array
}

/** One timeline event: at `atMs`, with event key `key`, something happens to `node`. */
export interface TimelineEvent {
  readonly atMs: number
  readonly key: number
  readonly kind: number
  readonly node: number
  /** TL_PUBLISH: the transaction index; TL_PEER_UP/DOWN: the peer that came or went; else -1. */
  readonly arg: number
  /** TL_CREATE: the new node's neighbours. */
  readonly neighbours?: readonly number[]
}

/** The whole timeline of a run. */
export interface Timeline {
  /** Events in the order they were generated (not sorted by time: the event queue sorts them). */
  readonly events: readonly TimelineEvent[]
  /** Transactions by index (a hole where the live set was empty at publication time). */
  readonly txs: ReadonlyArray<SimTransaction | undefined>
  /** Live nodes at publication, per transaction index. */
  readonly targetAtPublish: Int32Array
  /** Times at which the live count changed, ascending, and the count from then on. */
  readonly liveChangesAtMs: Float64Array
  readonly liveAfter: Int32Array
  readonly initialLive: number
  /** Nodes alive at the end, ascending. */
  readonly liveAtEnd: Int32Array
  readonly nodesCreated: number
  /** Links per node at the end (initial links plus those of joins). */
  readonly adjacency: number[][]
  /** The offline windows, with the nodes each cut off. */
  readonly offline: readonly OfflineWindow[]
  /** With an adversary: per node, 0 honest or the attacker's behaviour code (ATTACKER_CODES index + 1). */
  readonly attackers?: Uint8Array
}

/** Attacker behaviours by code − 1 (Timeline.attackers). */
export const ATTACKER_CODES: readonly AttackerBehaviour[] = ['honest', 'silent', 'censor', 'withhold', 'flood']

/**
 * The initial attackers: round(fraction × nodes) of the initial nodes, from the seed. Chosen before
 * the publishers, which are then chosen among the honest nodes.
 */
function initialAttackers (plan: RunPlan, capacity: number): Uint8Array | undefined {
  const a = plan.adversary
  if (a === undefined) return undefined
  const roles = new Uint8Array(capacity)
  const all = Array.from({ length: plan.nodes }, (_, i) => i)
  const code = ATTACKER_CODES.indexOf(a.behaviour) + 1
  for (const node of createRng(plan.seed).fork(400).sample(all, Math.round(a.fraction * plan.nodes))) roles[node] = code
  // An eclipse's target is honest: it is the node under attack.
  for (const e of plan.churn) if (e.attachTo !== undefined) roles[e.attachTo] = 0
  return roles
}

/** The live count just before `tMs` (changes at times below `tMs` applied). */
export function liveBefore (timeline: Timeline, tMs: number): number {
  const times = timeline.liveChangesAtMs
  let lo = 0
  let hi = times.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (times[mid]! < tMs) lo = mid + 1
    else hi = mid
  }
  return lo === 0 ? timeline.initialLive : timeline.liveAfter[lo - 1]!
}

/** Node indices that may exist in a run of this plan (initial nodes plus every join). */
export function nodeCapacity (plan: RunPlan): number {
  return plan.nodes + plan.churn.reduce((sum, e) => sum + (e.kind === 'join' ? (e.count ?? 0) : 0), 0)
}

/**
 * Builds the timeline. `rng` is the run's root generator (churn victims and joins' links are drawn
 * from it), `net` the run's network model (delays before neighbours hear of a join or a leave),
 * `keys` the run's event keys, `adjacency` the initial links (extended in place by joins).
 */
export function buildTimeline (plan: RunPlan, rng: Rng, net: NetworkModel, keys: EventKeys, adjacency: number[][], isPublic: Uint8Array): Timeline {
  const capacity = nodeCapacity(plan)
  const live = new LiveSet(capacity)
  for (let i = 0; i < plan.nodes; i++) live.add(i)
  const attackers = initialAttackers(plan, capacity)
  const workload = new Workload(plan.workload, plan.nodes, createRng(plan.seed).fork(5), layoutOf(plan), attackers === undefined ? undefined : n => attackers[n] === 0)
  const events: TimelineEvent[] = []
  const txs: Array<SimTransaction | undefined> = new Array<SimTransaction | undefined>(plan.workload.transactions)
  const targetAtPublish = new Int32Array(plan.workload.transactions)
  const changeTimes: number[] = []
  const changeCounts: number[] = []
  let nodesCreated = plan.nodes
  const emit = (atMs: number, kind: number, node: number, arg: number, neighbours?: readonly number[]): void => {
    events.push({ atMs, key: keys.next(TIMELINE_ORIGIN), kind, node, arg, neighbours })
  }
  const changed = (atMs: number): void => { changeTimes.push(atMs); changeCounts.push(live.size) }

  const publish = (index: number, now: number): void => {
    if (live.size === 0) return
    const tx = workload.make(index, now, n => live.has(n), r => live.pick(r))
    txs[index] = tx
    targetAtPublish[index] = live.size
    emit(now, TL_PUBLISH, tx.publisher, index)
  }
  const join = (now: number, e: ChurnEvent): void => {
    const want = plan.joinDegree
    const chosen = new Set<number>()
    if (e.attachTo !== undefined) chosen.add(e.attachTo)
    for (let attempt = 0; chosen.size < want && attempt < want * 20 && live.size > 0 && e.attachTo === undefined; attempt++) {
      const peer = live.pick(rng)
      if (isPublic[peer] === 1) chosen.add(peer)
    }
    const neighbours = [...chosen]
    const index = nodesCreated++
    live.add(index)
    if (attackers !== undefined && e.attackers !== undefined) attackers[index] = ATTACKER_CODES.indexOf(e.attackers) + 1
    adjacency[index] = neighbours
    emit(now, TL_CREATE, index, -1, neighbours)
    for (const peer of neighbours) {
      adjacency[peer] = adjacency[peer]!.concat(index)
      const key = keys.next(TIMELINE_ORIGIN)
      events.push({ atMs: now + net.latency(index, peer, key), key, kind: TL_PEER_UP, node: peer, arg: index })
    }
  }
  const remove = (now: number, crash: boolean): void => {
    const node = live.pick(rng)
    live.remove(node)
    emit(now, TL_REMOVE, node, -1)
    for (const peer of adjacency[node] ?? []) {
      const key = keys.next(TIMELINE_ORIGIN)
      const delay = crash ? plan.failureDetectionMs : net.latency(node, peer, key)
      events.push({ atMs: now + delay, key, kind: TL_PEER_DOWN, node: peer, arg: node })
    }
  }

  // An offline window: its nodes lose every link at fromMs (they notice at once, their neighbours
  // after failureDetectionMs, as for a crash) and keep their state; at toMs they redial the same
  // neighbours. The network drops whatever is sent to or from them meanwhile.
  const offline: OfflineWindow[] = []
  const cutOff = (k: number, w: { fromMs: number, toMs: number, fraction: number }): void => {
    const victims = createRng(plan.seed).fork(300 + k).sample([...live.snapshot()], Math.round(w.fraction * live.size)).sort((a, b) => a - b)
    const isolated = new Uint8Array(capacity)
    for (const v of victims) isolated[v] = 1
    net.addIsolation(w.fromMs, w.toMs, isolated)
    offline.push({ fromMs: w.fromMs, toMs: w.toMs, nodes: Int32Array.from(victims) })
    for (const v of victims) {
      for (const p of adjacency[v] ?? []) {
        if (isolated[p] === 1 && p < v) continue // the pair was done from p's side
        emit(w.fromMs, TL_PEER_DOWN, v, p)
        emit(isolated[p] === 1 ? w.fromMs : w.fromMs + plan.failureDetectionMs, TL_PEER_DOWN, p, v)
        const key = keys.next(TIMELINE_ORIGIN)
        const back = w.toMs + net.latency(v, p, key)
        events.push({ atMs: back, key, kind: TL_PEER_UP_OUT, node: v, arg: p })
        emit(back, TL_PEER_UP, p, v)
      }
    }
  }

  // An eclipse: the attackers that joined took the target's connection slots, and its connection
  // manager closed its own links but the first `keep` (those its outbound protection holds).
  const takeSlots = (now: number, target: number, keep: number): void => {
    const own = adjacency[target]!.filter(p => attackers?.[p] === 0)
    for (const peer of own.slice(keep)) {
      emit(now, TL_PEER_DOWN, target, peer)
      const key = keys.next(TIMELINE_ORIGIN)
      events.push({ atMs: now + net.latency(target, peer, key), key, kind: TL_PEER_DOWN, node: peer, arg: target })
      adjacency[peer] = adjacency[peer]!.filter(p => p !== target)
    }
    const dropped = new Set(own.slice(keep))
    adjacency[target] = adjacency[target]!.filter(p => !dropped.has(p))
  }

  // Publications first, then churn in plan order; a stable sort by time keeps that order at equal times.
  const happenings: Array<{ atMs: number, run: () => void }> = []
  for (let t = 0; t < plan.workload.transactions; t++) {
    const atMs = workload.timeOf(t)
    happenings.push({ atMs, run: () => publish(t, atMs) })
  }
  for (const e of plan.churn) {
    happenings.push({
      atMs: e.atMs,
      run: () => {
        const count = e.count ?? Math.round((e.fraction ?? 0) * live.size)
        for (let i = 0; i < count; i++) {
          if (e.kind === 'join') join(e.atMs, e)
          else if (live.size > 0) remove(e.atMs, e.kind === 'crash')
        }
        if (e.attachTo !== undefined) takeSlots(e.atMs, e.attachTo, e.keepLinks ?? 0)
        if (count > 0) changed(e.atMs)
      }
    })
  }
  for (const [k, w] of (plan.offline ?? []).entries()) happenings.push({ atMs: w.fromMs, run: () => { cutOff(k, w) } })
  happenings.sort((a, b) => a.atMs - b.atMs)
  for (const h of happenings) if (h.atMs < plan.durationMs) h.run()

  return {
    events,
    txs,
    targetAtPublish,
    liveChangesAtMs: Float64Array.from(changeTimes),
    liveAfter: Int32Array.from(changeCounts),
    initialLive: plan.nodes,
    liveAtEnd: live.snapshot(),
    nodesCreated,
    adjacency,
    offline,
    ...(attackers === undefined ? {} : { attackers })
  }
}
