/**
 * The discrete-event engine: one virtual clock, one event queue, one seeded generator, and the same
 * protocol cores real nodes run. Every node is a core from protocols/ behind a ProtocolBinding; the
 * engine only moves messages over the NetworkModel, fires wakeups, publishes the workload, applies
 * churn and faults, and records what happened. Same plan + same seed => same sequence of events.
 */
import { createRng, type Rng } from '../../protocols/common/rng.ts'
import type { Verdict } from '../../protocols/common/effects.ts'
import { NetworkModel } from '../network/network-model.ts'
import { initialTopology, natClasses } from './initial-topology.ts'
import { EventQueue } from './event-queue.ts'
import { RunMetrics } from './metrics.ts'
import { LiveSet } from './live-set.ts'
import { PeerDirectory } from './peer-ids.ts'
import { Workload } from './workload.ts'
import type { RunPlan } from './plan.ts'
import type { EffectSink, ProtocolBinding, SimCore, SimTransaction } from './types.ts'

const EV_MESSAGE = 1
const EV_BODY = 2
const EV_WAKE = 3
const EV_PUBLISH = 4
const EV_CHURN = 5
const EV_PEER_DOWN = 6
const EV_PEER_UP = 7

/** Progress callback: virtual time reached, the run's duration, events so far. */
export type ProgressFn = (simMs: number, durationMs: number, events: number) => void

/** Options that do not change the outcome. */
export interface RunOptions {
  onProgress?: ProgressFn
  /** Sample process memory into the time series (not part of the deterministic summary). @default true */
  sampleMemory?: boolean
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
  readonly meanDegree: number
}

/** Runs one plan with one binding. */
export class Simulator<C extends SimCore> {
  private readonly plan: RunPlan
  private readonly binding: ProtocolBinding<C>
  private readonly rng: Rng
  private readonly queue = new EventQueue(4096)
  private readonly peers = new PeerDirectory()
  private readonly cores: Array<C | undefined>
  private readonly wakeAt: Float64Array
  private readonly isPublic: Uint8Array
  private readonly live: LiveSet
  private readonly net: NetworkModel
  private readonly metrics: RunMetrics
  private readonly txKeys = new Map<string, number>()
  private readonly txs: SimTransaction[] = []
  private readonly peerIdOf = (index: number): string => this.peers.idOf(index)
  private readonly lookupTx = (key: string): SimTransaction | undefined => {
    const i = this.txKeys.get(key)
    return i === undefined ? undefined : this.txs[i]
  }
  private readonly adjacency: number[][]
  private readonly capacity: number
  private readonly workload: Workload
  private readonly sink: EffectSink
  private nodesCreated = 0
  private current = 0
  private now = 0
  private missingLinks = 0

  constructor (plan: RunPlan, binding: ProtocolBinding<C>) {
    this.plan = plan
    this.binding = binding
    this.rng = createRng(plan.seed)
    const joins = plan.churn.reduce((sum, e) => sum + (e.kind === 'join' ? (e.count ?? 0) : 0), 0)
    this.capacity = plan.nodes + joins
    this.cores = new Array<C | undefined>(this.capacity)
    this.wakeAt = new Float64Array(this.capacity).fill(Infinity)
    this.live = new LiveSet(this.capacity)
    this.isPublic = natClasses(plan, this.capacity)
    this.net = new NetworkModel(plan.network, this.rng.fork(2), this.capacity)
    this.metrics = new RunMetrics(this.capacity, plan.workload.transactions)
    const topo = initialTopology(plan, this.isPublic)
    this.workload = new Workload(plan.workload, plan.nodes, this.rng.fork(5))
    this.adjacency = topo.adjacency
    this.missingLinks = topo.missingLinks
    this.sink = this.makeSink()
  }

  /** Runs to the plan's duration (or until nothing is left to happen). */
  run (options: RunOptions = {}): RunResult {
    this.setup()
    const { durationMs, sampleIntervalMs } = this.plan
    const sampleMemory = options.sampleMemory ?? true
    let nextSample = sampleIntervalMs
    let events = 0
    const q = this.queue
    while (q.size > 0 && q.peekTime() <= durationMs) {
      const slot = q.pop()
      const t = q.time(slot)
      while (nextSample <= t) { this.takeSample(nextSample, sampleMemory); nextSample += sampleIntervalMs }
      this.now = t
      this.dispatch(q.kind(slot), q.a(slot), q.b(slot), q.payload(slot), q.c(slot), q.d(slot))
      q.release(slot)
      if ((++events & 0xffff) === 0) options.onProgress?.(t, durationMs, events)
    }
    while (nextSample <= durationMs) { this.takeSample(nextSample, sampleMemory); nextSample += sampleIntervalMs }
    options.onProgress?.(durationMs, durationMs, events)
    let degreeSum = 0
    for (let i = 0; i < this.plan.nodes; i++) degreeSum += this.adjacency[i]!.length
    return {
      plan: this.plan,
      metrics: this.metrics,
      liveAtEnd: this.live.snapshot(),
      nodesCreated: this.nodesCreated,
      events,
      endMs: durationMs,
      missingLinks: this.missingLinks,
      meanDegree: this.plan.nodes === 0 ? 0 : degreeSum / this.plan.nodes
    }
  }

  private setup (): void {
    const { plan } = this
    for (let i = 0; i < plan.nodes; i++) this.createNode(this.adjacency[i]!)
    for (const [k, p] of plan.partitions.entries()) {
      const sideRng = this.rng.fork(100 + k)
      const side = new Uint8Array(this.capacity)
      for (let i = 0; i < this.capacity; i++) side[i] = sideRng.next() < p.fraction ? 0 : 1
      this.net.addPartition({ fromMs: p.fromMs, toMs: p.toMs, side })
    }
    for (let t = 0; t < plan.workload.transactions; t++) this.queue.push(this.workload.timeOf(t), EV_PUBLISH, t, 0)
    for (const e of plan.churn) this.queue.push(e.atMs, EV_CHURN, 0, 0, e)
  }

  private dispatch (kind: number, a: number, b: number, payload: unknown, c: number, d: number): void {
    switch (kind) {
      case EV_MESSAGE:
      case EV_BODY: return this.arrive(a, b, payload, kind === EV_BODY, c, d)
      case EV_WAKE: return this.wake(a)
      case EV_PUBLISH: return this.publish(a)
      case EV_CHURN: return this.churn(payload as RunPlan['churn'][number])
      case EV_PEER_DOWN: return this.peerChange(a, b, false)
      case EV_PEER_UP: return this.peerChange(a, b, true)
    }
  }

  private createNode (neighbours: readonly number[]): number {
    const index = this.nodesCreated++
    this.current = index
    this.live.add(index)
    const core = this.binding.createCore({
      index,
      peerId: this.peers.idOf(index),
      rng: this.rng.fork(1000 + index),
      neighbours: this.peers.idsOf(neighbours),
      params: this.plan.protocolParams,
      now: this.now,
      networkSize: this.plan.nodes,
      lookupTx: this.lookupTx,
      peerIdOf: this.peerIdOf
    }, this.sink)
    this.cores[index] = core
    this.syncWakeup(index, core)
    return index
  }

  private arrive (to: number, from: number, message: unknown, body: boolean, c: number, d: number): void {
    const core = this.cores[to]
    if (core === undefined) { this.metrics.drops.down++; return }
    if (this.net.partitioned(from, to, this.now)) { this.metrics.drops.partition++; return }
    if (body) this.metrics.bodies++
    this.current = to
    this.binding.onMessage(core, this.peers.idOf(from), message, this.now, this.sink, c, d)
    this.syncWakeup(to, core)
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
      this.queue.push(when, EV_WAKE, node, 0)
    }
  }

  private publish (index: number): void {
    if (this.live.size === 0) return
    const tx = this.workload.make(index, this.now, n => this.cores[n] !== undefined, rng => this.live.pick(rng))
    const publisher = tx.publisher
    this.txKeys.set(tx.key, index)
    this.txs[index] = tx
    this.metrics.publish(index, publisher, this.now, this.live.size)
    const core = this.cores[publisher]!
    this.current = publisher
    this.binding.onPublish(core, tx, this.now, this.sink)
    this.syncWakeup(publisher, core)
  }

  private churn (e: RunPlan['churn'][number]): void {
    const count = e.count ?? Math.round((e.fraction ?? 0) * this.live.size)
    for (let i = 0; i < count; i++) {
      if (e.kind === 'join') this.join()
      else if (this.live.size > 0) this.remove(this.live.pick(this.rng), e.kind === 'crash')
    }
  }

  private join (): void {
    const want = this.plan.joinDegree
    const chosen = new Set<number>()
    for (let attempt = 0; chosen.size < want && attempt < want * 20 && this.live.size > 0; attempt++) {
      const peer = this.live.pick(this.rng)
      if (this.isPublic[peer] === 1) chosen.add(peer)
    }
    const neighbours = [...chosen]
    const index = this.createNode(neighbours)
    this.adjacency[index] = neighbours
    for (const peer of neighbours) {
      this.adjacency[peer] = this.adjacency[peer]!.concat(index)
      this.queue.push(this.now + this.net.latency(index, peer), EV_PEER_UP, peer, index)
    }
  }

  private remove (node: number, crash: boolean): void {
    this.cores[node] = undefined
    this.live.remove(node)
    for (const peer of this.adjacency[node] ?? []) {
      const delay = crash ? this.plan.failureDetectionMs : this.net.latency(node, peer)
      this.queue.push(this.now + delay, EV_PEER_DOWN, peer, node)
    }
  }

  private peerChange (node: number, peer: number, up: boolean): void {
    const core = this.cores[node]
    if (core === undefined) return
    this.current = node
    if (up) this.binding.onPeerUp(core, this.peers.idOf(peer), this.now, this.sink)
    else this.binding.onPeerDown(core, this.peers.idOf(peer), this.now, this.sink)
    this.syncWakeup(node, core)
  }

  private takeSample (tMs: number, sampleMemory: boolean): void {
    const mem = sampleMemory ? process.memoryUsage() : undefined
    this.metrics.sample(tMs, this.live.size, {
      heapUsedMb: mem === undefined ? 0 : mem.heapUsed / 1048576,
      rssMb: mem === undefined ? 0 : mem.rss / 1048576
    })
  }

  private makeSink (): EffectSink {
    return {
      send: (toPeer: string, message: unknown, sizeBytes: number, body: boolean, c = 0, d = 0) => {
        const from = this.current
        const to = this.peers.indexOf(toPeer)
        this.metrics.sent(sizeBytes)
        if (to < 0 || to >= this.capacity) { this.metrics.count(this.metrics.traces, 'send-to-unknown-peer'); return }
        const arrival = this.net.transmit(from, to, sizeBytes, this.now)
        if (typeof arrival === 'string') { this.metrics.drops[arrival]++; return }
        this.queue.push(arrival, body ? EV_BODY : EV_MESSAGE, to, from, message, c, d)
      },
      deliver: (key: string, hops: number) => {
        const tx = this.txKeys.get(key)
        if (tx === undefined) { this.metrics.count(this.metrics.traces, 'deliver-unknown-tx'); return }
        this.metrics.deliver(this.current, tx, hops, this.now)
      },
      wakeup: (at: number) => { this.scheduleWake(this.current, at) },
      verdict: (_peer: string, verdict: Verdict, code: string) => { this.metrics.countVerdict(verdict, code) },
      trace: (event: string) => { this.metrics.count(this.metrics.traces, event) },
      txIndex: (key: string) => this.txKeys.get(key) ?? -1,
      txAt: (index: number) => this.txs[index],
      peerIdOf: this.peerIdOf
    }
  }
}
