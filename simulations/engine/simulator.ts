/**
 * The discrete-event engine: a virtual clock, an event queue, and the same protocol cores real nodes
 * run. Every node is a core from protocols/ behind a ProtocolBinding; the engine only moves messages
 * over the NetworkModel, fires wakeups, replays the run's timeline (publications, joins, leaves,
 * crashes: engine/timeline.ts), and records what happened.
 *
 * A Simulator is one shard of a run: it owns the nodes with `index % count === shard.index` and
 * processes their events. A run on one thread is a single shard (`run()`); a parallel run
 * (engine/parallel.ts) has one shard per worker, each advancing through the same windows of virtual
 * time and handing the others the messages bound for their nodes. Events pop in (time, key) order and
 * every draw about a message comes from its key (engine/event-keys.ts), so the outcome is the same
 * whatever the number of shards: same plan + same seed => byte-identical summary.
 */
import { createRng, type Rng } from '../../protocols/common/rng.ts'
import type { Verdict } from '../../protocols/common/effects.ts'
import { NetworkModel } from '../network/network-model.ts'
import { initialTopology, natClasses } from './initial-topology.ts'
import { EventQueue } from './event-queue.ts'
import { EventKeys, nodeOrigin } from './event-keys.ts'
import { RunMetrics, type MetricsData } from './metrics.ts'
import { Outbox, unpackBatch, type Batch } from './outbox.ts'
import { peerIdOf } from './peer-ids.ts'
import { buildTimeline, liveBefore, nodeCapacity, type OfflineWindow, type Timeline, TL_CREATE, TL_PEER_DOWN, TL_PEER_UP, TL_PEER_UP_OUT, TL_PUBLISH, TL_REMOVE } from './timeline.ts'
import type { RunPlan } from './plan.ts'
import { BOXED_TIME, type EffectSink, type ProtocolBinding, type SimCore, type SimTransaction } from './types.ts'

/**
 * Events popped together (see advance): enough for their cores' cache misses to overlap, few
 * enough that the cores are still in the cache when their events are handled. 100,000 × 10 tx on
 * one thread, paired runs: 0.85-0.88 of the CPU time of one event at a time, with 32 or 64.
 */
const BATCH = 32

const EV_MESSAGE = 1
const EV_BODY = 2
const EV_WAKE = 3

/** Progress callback: virtual time reached, the run's duration, events so far. */
export type ProgressFn = (simMs: number, durationMs: number, events: number) => void

/** Options that do not change the outcome. */
export interface RunOptions {
  onProgress?: ProgressFn
  /** Sample process memory into the time series (not part of the deterministic summary). @default true */
  sampleMemory?: boolean
  /**
   * Worker threads for runSimulatedAsync (simulations/run.ts): a number, or 'auto' (every core for
   * runs of 10,000 nodes or more, else one). The outcome is the same for any number. @default 'auto'
   */
  threads?: number | 'auto'
}

/** What a run leaves behind for the reports. */
export interface RunResult {
  readonly plan: RunPlan
  readonly metrics: RunMetrics
  /** Nodes alive at the end (eligible for delivery). */
  readonly liveAtEnd: Int32Array
  readonly nodesCreated: number
  readonly events: number
  readonly endMs: number
  readonly missingLinks: number
  /** The offline windows and the nodes each cut off. */
  readonly offline: readonly OfflineWindow[]
  readonly meanDegree: number
  /** Young-generation collections the worker threads ran together (engine/parallel.ts; not in the summary). */
  readonly alignedCollections?: number
  /** With an adversary: per node, 0 honest or the attacker's behaviour code (Timeline.attackers). */
  readonly attackers?: Uint8Array
}

/** The parts of a RunResult that do not depend on what the protocol did. */
export type RunFacts = Pick<RunResult, 'liveAtEnd' | 'nodesCreated' | 'missingLinks' | 'meanDegree' | 'offline' | 'attackers'>

/** Which nodes a Simulator owns: those with `index % count === index`. */
export interface Shard {
  readonly index: number
  readonly count: number
}

/** What one shard measured, as plain data (to move between threads); merged by RunMetrics.merge. */
export interface ShardResult {
  readonly metrics: MetricsData
  readonly events: number
}

/** Runs one plan with one binding, for the nodes of one shard. */
export class Simulator<C extends SimCore> {
  private readonly plan: RunPlan
  private binding: ProtocolBinding<C>
  private readonly shard: Shard
  private readonly rng: Rng
  private readonly queue = new EventQueue(4096)
  private readonly cores: Array<C | undefined>
  private readonly wakeAt: Float64Array
  private readonly net: NetworkModel
  private readonly keys: EventKeys
  private readonly timeline: Timeline
  private readonly metrics: RunMetrics
  private readonly outboxes: Array<Outbox | undefined>
  private readonly txKeys = new Map<string, number>()
  private readonly txs: ReadonlyArray<SimTransaction | undefined>
  private readonly lookupTx = (key: string): SimTransaction | undefined => {
    const i = this.txKeys.get(key)
    return i === undefined ? undefined : this.txs[i]
  }
  private readonly capacity: number
  private readonly missingLinks: number
  private readonly sink: EffectSink
  private readonly sampleMemory: boolean
  private nextSample: number
  private current = 0
  /**
   * The virtual time. It starts as BOXED_TIME (engine/types.ts), so that V8 keeps the field as a
   * reference to a boxed number: one allocation each time the clock moves, instead of one for
   * every call the time is passed to (several per event, through the binding into the core).
   */
  private now = BOXED_TIME
  private processed = 0
  /** The slots of the events being handled (see advance). */
  private readonly batch = new Int32Array(BATCH)

  constructor (plan: RunPlan, binding: ProtocolBinding<C>, shard: Shard = { index: 0, count: 1 }, options: Pick<RunOptions, 'sampleMemory'> = {}) {
    this.plan = plan
    this.binding = binding
    this.shard = shard
    this.sampleMemory = options.sampleMemory ?? true
    this.now = 0
    this.nextSample = plan.sampleIntervalMs
    // Every shard builds the same network, links and timeline from the seed.
    this.rng = createRng(plan.seed)
    this.capacity = nodeCapacity(plan)
    this.cores = new Array<C | undefined>(this.capacity)
    this.wakeAt = new Float64Array(this.capacity).fill(Infinity)
    const isPublic = natClasses(plan, this.capacity)
    this.net = new NetworkModel(plan.network, this.rng.fork(2), this.capacity)
    for (const [k, p] of plan.partitions.entries()) {
      const sideRng = this.rng.fork(100 + k)
      const side = new Uint8Array(this.capacity)
      for (let i = 0; i < this.capacity; i++) side[i] = sideRng.next() < p.fraction ? 0 : 1
      this.net.addPartition({ fromMs: p.fromMs, toMs: p.toMs, side })
    }
    const topo = initialTopology(plan, isPublic)
    this.missingLinks = topo.missingLinks
    this.keys = new EventKeys(this.capacity)
    this.timeline = buildTimeline(plan, this.rng, this.net, this.keys, topo.adjacency, isPublic)
    this.txs = this.timeline.txs
    // Attackers only when the scenario asks for them: a clean run's nodes are the binding's own cores.
    const roles = this.timeline.attackers
    if (plan.adversary !== undefined && roles !== undefined) {
      if (binding.withAdversary === undefined) throw new Error(`protocol ${binding.name} has no attackers to simulate`)
      this.binding = binding.withAdversary(plan.adversary, roles) as unknown as ProtocolBinding<C>
    }
    for (const [i, tx] of this.txs.entries()) if (tx !== undefined) this.txKeys.set(tx.key, i)
    this.metrics = new RunMetrics(this.capacity, plan.workload.transactions)
    this.metrics.expect(this.txs)
    this.outboxes = Array.from({ length: shard.count }, (_, i) => i === shard.index ? undefined : new Outbox())
    this.sink = this.makeSink()
    this.setup()
  }

  /** Runs the whole plan on this thread (the simulator must be the only shard). */
  run (options: RunOptions = {}): RunResult {
    if (this.shard.count !== 1) throw new Error('run() drives a single shard; use engine/parallel.ts for more')
    const { durationMs } = this.plan
    // Windows only pace the progress reports: a lone shard has nobody to wait for.
    const step = Math.max(1, durationMs / 200)
    for (let t = 0; t < durationMs;) {
      t = Math.min(durationMs, Math.max(t + step, this.nextTime() + step))
      this.advance(t)
      options.onProgress?.(t, durationMs, this.processed)
    }
    this.finishSamples()
    return this.result(this.metrics.finish(), this.processed)
  }

  /** Time of this shard's earliest pending event (Infinity if none). */
  nextTime (): number { return this.queue.peekTime() }

  /** Events processed so far. */
  get events (): number { return this.processed }

  /**
   * Processes every pending event before `endMs` (at most the run's duration). A parallel run calls
   * this for windows no longer than the network's smallest latency, so nothing another shard sends
   * during the window can land inside it.
   */
  advance (endMs: number): void {
    const end = Math.min(endMs, this.plan.durationMs)
    const q = this.queue
    const batch = this.batch
    for (let n = q.popBatch(batch, BATCH, end); n > 0; n = q.popBatch(batch, BATCH, end)) {
      // Reach every core of the batch first: the loads are independent, so their cache misses
      // overlap, where handling the events one by one would wait for each in turn (at 100,000
      // nodes, the first touch of an event's core was the largest single cost of the run).
      for (let i = 0; i < n; i++) this.cores[q.a(batch[i]!)]?.nextWakeup()
      for (let i = 0; i < n; i++) {
        const slot = batch[i]!
        // An event queued while the batch is handled (a wake at the current time) may come first.
        while (q.pendingBefore(slot)) this.handle(q.pop())
        this.handle(slot)
      }
    }
    const interval = this.plan.sampleIntervalMs
    while (this.nextSample <= end) { this.takeSample(this.nextSample); this.nextSample += interval }
  }

  /** Handles the popped event in `slot` and releases it. */
  private handle (slot: number): void {
    const q = this.queue
    const t = q.time(slot)
    while (this.nextSample <= t) { this.takeSample(this.nextSample); this.nextSample += this.plan.sampleIntervalMs }
    this.now = t
    this.dispatch(q.kind(slot), q.a(slot), q.b(slot), q.payload(slot), q.c(slot), q.d(slot))
    q.release(slot)
    this.processed++
  }

  /** Events from another shard (their times are at or after the current window's end). */
  receive (batch: Batch): void {
    unpackBatch(batch, this.enqueue)
  }

  /** Earliest time among the events waiting in the outboxes (Infinity if none). */
  outboxMinTime (): number {
    let min = Infinity
    for (const o of this.outboxes) if (o !== undefined && o.minTime < min) min = o.minTime
    return min
  }

  /** Takes the events gathered for shard `to` since the last call. */
  takeOutbox (to: number): Batch {
    return this.outboxes[to]!.take()
  }

  /** Closes the time series at the run's end and returns this shard's part. */
  finish (): ShardResult {
    this.finishSamples()
    return { metrics: this.metrics.toData(), events: this.processed }
  }

  /** The run's result around its metrics (whole, or merged from every shard's part). */
  result (metrics: RunMetrics, events: number): RunResult {
    return { plan: this.plan, metrics, events, endMs: this.plan.durationMs, ...this.facts() }
  }

  /** What every shard knows alike about the run: the timeline's ending and the links. */
  facts (): RunFacts {
    const { plan, timeline } = this
    let degreeSum = 0
    for (let i = 0; i < plan.nodes; i++) degreeSum += timeline.adjacency[i]!.length
    return {
      liveAtEnd: timeline.liveAtEnd,
      nodesCreated: timeline.nodesCreated,
      missingLinks: this.missingLinks,
      offline: timeline.offline,
      meanDegree: plan.nodes === 0 ? 0 : degreeSum / plan.nodes,
      ...(timeline.attackers === undefined ? {} : { attackers: timeline.attackers })
    }
  }

  /** The network's smallest latency, ms: how far ahead of the others a shard may run. */
  get lookaheadMs (): number { return this.net.minLatencyMs }

  private owns (node: number): boolean {
    return node % this.shard.count === this.shard.index
  }

  private finishSamples (): void {
    const { durationMs, sampleIntervalMs } = this.plan
    while (this.nextSample <= durationMs) { this.takeSample(this.nextSample); this.nextSample += sampleIntervalMs }
  }

  private setup (): void {
    const { plan, timeline } = this
    for (let i = 0; i < plan.nodes; i++) if (this.owns(i)) this.createNode(i, timeline.adjacency[i]!)
    for (const e of timeline.events) {
      if (e.atMs < plan.durationMs && this.owns(e.node)) this.queue.pushKeyed(e.atMs, e.key, e.kind, e.node, e.arg, e.neighbours)
    }
  }

  private readonly toThread = (message: unknown): unknown => this.binding.toThread?.(message) ?? message
  private readonly enqueue = (time: number, key: number, kind: number, to: number, from: number, payload: unknown, c: number, d: number): void => {
    const message = payload === undefined || typeof payload === 'number' ? payload : (this.binding.fromThread?.(payload) ?? payload)
    this.queue.pushKeyed(time, key, kind, to, from, message, c, d)
  }

  private dispatch (kind: number, a: number, b: number, payload: unknown, c: number, d: number): void {
    switch (kind) {
      case EV_MESSAGE:
      case EV_BODY: return this.arrive(a, b, payload, kind === EV_BODY, c, d)
      case EV_WAKE: return this.wake(a)
      case TL_PUBLISH: return this.publish(a, b)
      case TL_CREATE: return this.createNode(a, payload as readonly number[])
      case TL_REMOVE: this.cores[a] = undefined; return
      case TL_PEER_DOWN: return this.peerChange(a, b, false)
      case TL_PEER_UP: return this.peerChange(a, b, true)
      case TL_PEER_UP_OUT: return this.peerChange(a, b, true, true)
    }
  }

  private createNode (index: number, neighbours: readonly number[]): void {
    this.current = index
    const core = this.binding.createCore({
      index,
      rng: this.rng.fork(1000 + index),
      neighbours,
      params: this.plan.protocolParams,
      now: this.now,
      networkSize: this.plan.nodes,
      lookupTx: this.lookupTx,
      peerIdOf
    }, this.sink)
    this.cores[index] = core
    this.syncWakeup(index, core)
  }

  private arrive (to: number, from: number, message: unknown, body: boolean, c: number, d: number): void {
    const core = this.cores[to]
    if (core === undefined) { this.metrics.drops.down++; return }
    if (this.net.partitioned(from, to, this.now)) { this.metrics.drops.partition++; return }
    if (body) this.metrics.bodies++
    this.current = to
    const before = core.nextWakeup()
    this.binding.onMessage(core, from, message, this.now, this.sink, c, d)
    // Most messages leave the wakeup where it was, and its wake is already queued: skip reading
    // wakeAt (a cold load per message at 100,000 nodes). Same events either way: scheduleWake
    // would find a wake at or before it queued.
    const due = core.nextWakeup()
    if (due !== undefined && due !== before) this.scheduleWake(to, due)
  }

  private wake (node: number): void {
    const core = this.cores[node]
    if (core === undefined || this.wakeAt[node] !== this.now) return
    this.wakeAt[node] = Infinity
    const due = core.nextWakeup()
    if (due !== undefined && due <= this.now) {
      this.current = node
      this.binding.onTick(core, this.now, this.sink)
    }
    this.syncWakeup(node, core)
  }

  private syncWakeup (node: number, core: C): void {
    const due = core.nextWakeup()
    if (due !== undefined) this.scheduleWake(node, due)
  }

  private scheduleWake (node: number, at: number): void {
    const when = Math.max(at, this.now)
    if (when < this.wakeAt[node]!) {
      this.wakeAt[node] = when
      this.queue.pushKeyed(when, this.keys.next(nodeOrigin(node)), EV_WAKE, node, 0)
    }
  }

  private publish (publisher: number, index: number): void {
    const tx = this.txs[index]!
    this.metrics.publish(index, publisher, this.now, this.timeline.targetAtPublish[index]!)
    const core = this.cores[publisher]!
    this.current = publisher
    this.binding.onPublish(core, tx, this.now, this.sink)
    this.syncWakeup(publisher, core)
  }

  private peerChange (node: number, peer: number, up: boolean, outbound = false): void {
    const core = this.cores[node]
    if (core === undefined) return
    this.current = node
    if (up) this.binding.onPeerUp(core, peer, this.now, this.sink, outbound, this.plan.protocolParams)
    else this.binding.onPeerDown(core, peer, this.now, this.sink)
    this.syncWakeup(node, core)
  }

  private takeSample (tMs: number): void {
    const mem = this.sampleMemory ? process.memoryUsage() : undefined
    this.metrics.sample(tMs, liveBefore(this.timeline, tMs), {
      heapUsedMb: mem === undefined ? 0 : mem.heapUsed / 1048576,
      rssMb: mem === undefined ? 0 : mem.rss / 1048576
    })
  }

  private makeSink (): EffectSink {
    const count = this.shard.count
    return {
      send: (to: number, message: unknown, sizeBytes: number, body: boolean, c = 0, d = 0) => {
        const from = this.current
        this.metrics.sent(sizeBytes)
        if ((to | 0) !== to || to < 0 || to >= this.capacity) { this.metrics.count(this.metrics.traces, 'send-to-unknown-peer'); return }
        const key = this.keys.next(nodeOrigin(from))
        const arrival = this.net.transmit(from, to, sizeBytes, this.now, key)
        if (typeof arrival === 'string') { this.metrics.drops[arrival]++; return }
        const kind = body ? EV_BODY : EV_MESSAGE
        const outbox = count === 1 ? undefined : this.outboxes[to % count]
        if (outbox === undefined) this.queue.pushKeyed(arrival, key, kind, to, from, message, c, d)
        else outbox.add(arrival, key, kind, to, from, message === undefined || typeof message === 'number' ? message : this.toThread(message), c, d)
      },
      deliver: (key: string, hops: number) => {
        const tx = this.txKeys.get(key)
        if (tx === undefined) { this.metrics.count(this.metrics.traces, 'deliver-unknown-tx'); return }
        this.metrics.deliver(this.current, tx, hops, this.now)
      },
      wakeup: (at: number) => { this.scheduleWake(this.current, at) },
      verdict: (_peer: number, verdict: Verdict, code: string) => { this.metrics.countVerdict(verdict, code) },
      trace: (event: string) => { this.metrics.count(this.metrics.traces, event) },
      txIndex: (key: string) => this.txKeys.get(key) ?? -1,
      txAt: (index: number) => this.txs[index],
      peerIdOf,
      account: (label: string, bytes: number) => { this.metrics.count(this.metrics.bytesBy, label, bytes) }
    }
  }
}
