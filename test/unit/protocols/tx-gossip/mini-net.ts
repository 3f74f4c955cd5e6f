/**
 * A tiny deterministic network for unit tests of the tx-gossip core: a time-ordered event queue with
 * a fixed link latency, executing the core's effects the way the node's adapter does (chunks of
 * `chunkBytes`, verification answered from a per-node "tamper" flag). Not the simulator: just
 * enough to exercise the protocol end to end with seeds.
 */
import { createRng, type Rng } from '../../../../protocols/common/rng.ts'
import { createTxGossipCore, type GossipEffect, type GossipInput, type TxGossipConfig, type TxGossipCore } from '../../../../protocols/tx-gossip/index.ts'

interface Event { at: number, seq: number, node: number, input: GossipInput }

/** Options of a mini network. */
export interface MiniNetOptions {
  nodes: number
  seed: number
  config?: Partial<TxGossipConfig>
  latencyMs?: number
  /** One-way delay of the link between two nodes (both directions); default latencyMs for every link. */
  linkLatencyMs?: (a: number, b: number) => number
  chunkBytes?: number
  /** Edges; default: a ring plus `extraEdges` random chords. */
  edges?: Array<[number, number]>
  extraEdges?: number
}

/** A network of cores. */
export class MiniNet {
  readonly cores: TxGossipCore[] = []
  readonly names: string[] = []
  readonly delivered: Array<Map<string, number>> = []
  /** When each node first held each transaction ("node:id"; published ones at publication). */
  readonly deliveredAt = new Map<string, number>()
  readonly effects: Array<GossipEffect & { node: number }> = []
  /** Nodes that corrupt every body they serve. */
  readonly tamper = new Set<number>()
  /** Nodes that never answer getdata (but announce). */
  readonly mute = new Set<number>()
  /** Links that drop everything: "a-b". */
  readonly down = new Set<string>()
  bodiesReceived = 0
  /** Body bytes (chunk lengths) each node received. */
  readonly bodyBytes: number[] = []
  /** Body bytes received by node and transaction: "node:id". */
  readonly bodyBytesOf = new Map<string, number>()
  /** The register of each transaction published with one (its first chunk carries it, as the node's notification does). */
  readonly txRegisters = new Map<string, string>()
  /** Each published transaction's origin tag (its publisher's index plus one), carried by its first chunk as the node's notification does. */
  readonly txOrigins = new Map<string, number>()
  now = 0
  private readonly queue: Event[] = []
  private seq = 0
  private readonly latency: number
  private readonly linkLatency: ((a: number, b: number) => number) | undefined
  private readonly chunk: number
  private readonly sizes = new Map<string, number>()
  /** Per receiving node and tx: whether any chunk of the current assembly came from a tamperer. */
  private readonly tainted = new Map<string, boolean>()
  readonly rng: Rng

  constructor (options: MiniNetOptions) {
    this.rng = createRng(options.seed)
    this.latency = options.latencyMs ?? 10
    this.linkLatency = options.linkLatencyMs
    this.chunk = options.chunkBytes ?? 64 * 1024
    for (let i = 0; i < options.nodes; i++) {
      this.names.push(`n${i}`)
      this.cores.push(createTxGossipCore(options.config ?? {}, this.rng.fork(i)))
      this.delivered.push(new Map())
      this.bodyBytes.push(0)
    }
    const edges = options.edges ?? this.ringWithChords(options.nodes, options.extraEdges ?? options.nodes)
    for (const [a, b] of edges) this.connect(a, b)
  }

  private ringWithChords (n: number, extra: number): Array<[number, number]> {
    const edges: Array<[number, number]> = []
    for (let i = 0; i < n && n > 1; i++) edges.push([i, (i + 1) % n])
    for (let i = 0; i < extra; i++) {
      const a = this.rng.int(n)
      const b = this.rng.int(n)
      if (a !== b) edges.push([a, b])
    }
    return edges
  }

  /** Connects two nodes now. */
  connect (a: number, b: number): void {
    this.push(this.now, a, { type: 'peer-up', now: 0, peer: this.names[b]! })
    this.push(this.now, b, { type: 'peer-up', now: 0, peer: this.names[a]! })
  }

  /** Disconnects two nodes now. */
  disconnect (a: number, b: number): void {
    this.push(this.now, a, { type: 'peer-down', now: 0, peer: this.names[b]! })
    this.push(this.now, b, { type: 'peer-down', now: 0, peer: this.names[a]! })
  }

  /** Publishes a transaction of `size` bytes (of `register`, if given) at node `node` now. */
  publish (node: number, id: string, size: number, register?: string): void {
    this.sizes.set(id, size)
    if (register !== undefined) this.txRegisters.set(id, register)
    this.txOrigins.set(id, node + 1)
    this.deliveredAt.set(`${node}:${id}`, this.now)
    this.delivered[node]!.set(id, (this.delivered[node]!.get(id) ?? 0) + 1)
    this.push(this.now, node, register === undefined ? { type: 'publish', now: 0, id, size, origin: node + 1 } : { type: 'publish', now: 0, id, size, register, origin: node + 1 })
  }

  /** Node `node` held this transaction before a restart (its store tells the core on start). */
  restore (node: number, id: string, size: number, hops: number, register?: string): void {
    this.sizes.set(id, size)
    if (register !== undefined) this.txRegisters.set(id, register)
    this.delivered[node]!.set(id, (this.delivered[node]!.get(id) ?? 0) + 1)
    this.push(this.now, node, { type: 'restore', now: 0, id, size, hops, ...(register === undefined ? {} : { register }) })
  }

  /** Feeds an input to a node now (for hand-made messages). */
  inject (node: number, input: GossipInput): void {
    this.push(this.now, node, input)
  }

  private push (at: number, node: number, input: GossipInput): void {
    const q = this.queue
    q.push({ at, seq: this.seq++, node, input })
    let i = q.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.less(q[i]!, q[p]!)) break
      ;[q[i], q[p]] = [q[p]!, q[i]!]
      i = p
    }
  }

  private index (name: string): number {
    return this.names.indexOf(name)
  }

  /** Runs events (and core wakeups) until `until` or until nothing is left. */
  run (until = Infinity): void {
    for (;;) {
      let wakeNode = -1
      let wakeAt = Infinity
      this.cores.forEach((core, i) => {
        const w = core.nextWakeup()
        if (w !== undefined && w < wakeAt) { wakeAt = w; wakeNode = i }
      })
      const head = this.queue[0]
      const eventAt = head === undefined ? Infinity : head.at
      const at = Math.min(eventAt, wakeAt)
      if (at === Infinity || at > until) {
        if (until !== Infinity) this.now = until
        return
      }
      this.now = Math.max(this.now, at)
      if (eventAt <= wakeAt) {
        const event = this.pop()
        this.step(event.node, { ...event.input, now: this.now } as GossipInput)
      } else {
        this.step(wakeNode, { type: 'tick', now: this.now })
      }
    }
  }

  private less (a: Event, b: Event): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq)
  }

  private pop (): Event {
    const q = this.queue
    const top = q[0]!
    const last = q.pop()!
    if (q.length > 0) {
      q[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < q.length && this.less(q[l]!, q[m]!)) m = l
        if (r < q.length && this.less(q[r]!, q[m]!)) m = r
        if (m === i) break
        ;[q[i], q[m]] = [q[m]!, q[i]!]
        i = m
      }
    }
    return top
  }

  private step (node: number, input: GossipInput): void {
    for (const effect of this.cores[node]!.handle(input)) {
      this.effects.push({ ...effect, node })
      this.execute(node, effect)
    }
  }

  private delay (a: number, b: number): number {
    return this.linkLatency === undefined ? this.latency : this.linkLatency(a, b)
  }

  private linkDown (a: number, b: number): boolean {
    return this.down.has(`${a}-${b}`) || this.down.has(`${b}-${a}`)
  }

  private execute (node: number, effect: GossipEffect): void {
    const me = this.names[node]!
    switch (effect.type) {
      case 'send': {
        const to = this.index(effect.peer)
        if (this.linkDown(node, to)) return
        if (effect.message.type === 'getdata' && this.mute.has(to)) return
        this.push(this.now + this.delay(node, to), to, { type: 'message', now: 0, from: me, message: effect.message })
        return
      }
      case 'serve': {
        const to = this.index(effect.peer)
        if (this.linkDown(node, to)) return
        const total = this.sizes.get(effect.id) ?? 0
        let offset = effect.offset
        let t = this.now + this.delay(node, to)
        const origin = this.txOrigins.get(effect.id)
        do {
          const length = Math.min(this.chunk, total - offset)
          if (offset === 0) this.bodiesReceived++
          this.bodyBytes[to]! += length
          this.bodyBytesOf.set(`${to}:${effect.id}`, (this.bodyBytesOf.get(`${to}:${effect.id}`) ?? 0) + length)
          const register = offset === 0 ? this.txRegisters.get(effect.id) : undefined
          this.push(t, to, {
            type: 'chunk', now: 0, from: me, id: effect.id, offset, length, total, hops: effect.hops,
            ...(register === undefined ? {} : { register }), ...(offset === 0 && origin !== undefined ? { origin } : {})
          })
          offset += length
          t += 1
        } while (offset < total)
        return
      }
      case 'append':
        if (this.tamper.has(this.index(effect.from))) this.tainted.set(`${node}:${effect.id}`, true)
        return
      case 'verify':
        this.push(this.now, node, { type: 'verified', now: 0, id: effect.id, ok: this.tainted.get(`${node}:${effect.id}`) !== true })
        return
      case 'discard':
        this.tainted.delete(`${node}:${effect.id}`)
        return
      case 'deliver':
        if (!this.deliveredAt.has(`${node}:${effect.id}`)) this.deliveredAt.set(`${node}:${effect.id}`, this.now)
        this.delivered[node]!.set(effect.id, (this.delivered[node]!.get(effect.id) ?? 0) + 1)
        return
      default:
    }
  }

  /** Verdicts emitted, as "node:peer:verdict:code". */
  verdicts (): string[] {
    return this.effects.filter(e => e.type === 'verdict').map(e => e.type === 'verdict' ? `${e.node}:${e.peer}:${e.verdict}:${e.code}` : '')
  }
}
