/**
 * TEST-ONLY protocol cores for exercising the engine before (and independently of) the real cores:
 * a plain push gossip (on first receipt, forward to a random number of random neighbours with mean
 * `fanoutMean`, by randomized rounding) and an optional periodic "repeat" to one random neighbour,
 * which gives the engine's wakeups and partition healing something to do. Lives in test/, never
 * in simulations/ or protocols/: the simulator ships bindings to the real cores only.
 */
import type { Core } from '../../../protocols/common/effects.ts'
import type { Rng } from '../../../protocols/common/rng.ts'
import type { EffectSink, NodeSetup, ProtocolBinding, SimTransaction } from '../../../simulations/engine/types.ts'

type Input =
  | { type: 'message', now: number, from: number, msg: PushMessage }
  | { type: 'publish', now: number, id: string }
  | { type: 'tick', now: number }
  | { type: 'peer', now: number, peer: number, up: boolean }
type Effect =
  | { type: 'send', to: number, msg: PushMessage }
  | { type: 'deliver', id: string, hops: number }
interface PushMessage { id: string, hops: number }

/** Parameters of the test push core. */
export interface PushParams { fanoutMean: number, repeatEveryMs: number, bodyBytes: number }

/** A plain push gossip core (test-only). */
export class PushCore implements Core<Input, Effect> {
  private readonly rng: Rng
  private readonly neighbours: number[]
  private readonly seen = new Map<string, PushMessage>()
  private readonly params: PushParams
  private next: number | undefined

  constructor (rng: Rng, neighbours: readonly number[], params: PushParams, now: number) {
    this.rng = rng
    this.neighbours = [...neighbours]
    this.params = params
    this.next = params.repeatEveryMs > 0 ? now + params.repeatEveryMs : undefined
  }

  nextWakeup (): number | undefined { return this.next }

  handle (input: Input): Effect[] {
    switch (input.type) {
      case 'publish': return this.firstReceipt({ id: input.id, hops: 0 }, false)
      case 'message': return this.seen.has(input.msg.id) ? [] : this.firstReceipt(input.msg, true)
      case 'peer':
        if (input.up) this.neighbours.push(input.peer)
        else this.neighbours.splice(this.neighbours.indexOf(input.peer) >>> 0, 1)
        return []
      case 'tick': {
        this.next = input.now + this.params.repeatEveryMs
        const to = this.rng.pick(this.neighbours)
        if (to === undefined) return []
        return [...this.seen.values()].map(m => ({ type: 'send' as const, to, msg: { id: m.id, hops: m.hops + 1 } }))
      }
    }
  }

  private firstReceipt (msg: PushMessage, deliver: boolean): Effect[] {
    this.seen.set(msg.id, msg)
    const m = this.params.fanoutMean
    const count = Math.floor(m) + (this.rng.next() < m - Math.floor(m) ? 1 : 0)
    const out: Effect[] = deliver ? [{ type: 'deliver', id: msg.id, hops: msg.hops }] : []
    for (const to of this.rng.sample(this.neighbours, count)) out.push({ type: 'send', to, msg: { id: msg.id, hops: msg.hops + 1 } })
    return out
  }
}

function apply (effects: Effect[], sink: EffectSink, bodyBytes: number): void {
  for (const e of effects) {
    if (e.type === 'send') sink.send(e.to, e.msg, bodyBytes, true)
    else sink.deliver(e.id, e.hops)
  }
}

/** Binding of the test push core; `name` lets tests register variants. */
export function pushBinding (name = 'test-push', defaults: Partial<PushParams> = {}): ProtocolBinding<PushCore> {
  const full: PushParams = { fanoutMean: 3, repeatEveryMs: 0, bodyBytes: 100, ...defaults }
  let bodyBytes = full.bodyBytes
  return {
    name,
    parseParams: raw => {
      const p = { ...full, ...(raw as Partial<PushParams>) }
      bodyBytes = p.bodyBytes
      return p
    },
    createCore: (s: NodeSetup) => new PushCore(s.rng, s.neighbours, s.params as PushParams, s.now),
    onMessage: (core, from, message, now, sink) => { apply(core.handle({ type: 'message', now, from, msg: message as PushMessage }), sink, bodyBytes) },
    onTick: (core, now, sink) => { apply(core.handle({ type: 'tick', now }), sink, bodyBytes) },
    onPublish: (core, tx: SimTransaction, now, sink) => { apply(core.handle({ type: 'publish', now, id: tx.key }), sink, bodyBytes) },
    onPeerUp: (core, peer, now, sink) => { apply(core.handle({ type: 'peer', now, peer, up: true }), sink, bodyBytes) },
    onPeerDown: (core, peer, now, sink) => { apply(core.handle({ type: 'peer', now, peer, up: false }), sink, bodyBytes) }
  }
}
