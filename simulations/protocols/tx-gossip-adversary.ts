/**
 * Attackers and defences on the simulated network (scenario key `adversary`, simulations/README.md).
 * Only runs that ask for an adversary get this binding (engine/simulator.ts); a clean run's nodes are
 * the bare cores of ./tx-gossip.ts.
 *
 * An attacker runs the real tx-gossip core, with some of its effects never carried out (from
 * `adversary.activeFromMs` on; before, it carries out everything):
 * - `honest`: none dropped: the control run, the same nodes and links with nobody misbehaving;
 * - `silent`: sends nothing at all (it receives, and is a dead end);
 * - `censor`: relays nothing: it fetches what it hears of (it sends getdata, so it looks alive), but
 *   never announces, serves, answers notfound or sends a summary;
 * - `withhold`: announces what it holds, as an honest relay would, but never serves a byte nor says
 *   notfound: whoever asks it waits for the fetch's timeout;
 * - `flood`: withholds, and every `flood.intervalMs` announces `flood.ids` transactions that do not
 *   exist to every neighbour.
 * An attacker's app is not counted: its deliveries are dropped, so the run's latencies are honest nodes'.
 *
 * An honest node runs the real core, and, with `adversary.reputation` (the default), the real
 * reputation core (protocols/reputation) as the node's gossip service drives it: every verdict is
 * mapped to an offence by `offenceOfVerdict`, a graylisted peer's messages are ignored (verdict
 * `ignore:graylisted`), and a `disconnect` or `ban` closes the link for the rest of the run (the
 * core hears `peer-down`; the attacker does not dial back, and the honest node dials no replacement).
 * Each action is counted as a trace `reputation:<action>:<attacker|honest>` (honest: a false positive).
 */
import type { GossipEffect, GossipInput, GossipMessage, TxGossipCore } from '../../protocols/tx-gossip/index.ts'
import { offenceOfVerdict, ReputationCore, type OffenceCode } from '../../protocols/reputation/index.ts'
import type { Rng } from '../../protocols/common/rng.ts'
import type { Verdict } from '../../protocols/common/effects.ts'
import type { AdversaryPlan, AttackerBehaviour } from '../engine/plan.ts'
import { ATTACKER_CODES } from '../engine/timeline.ts'
import type { EffectSink, NodeSetup, ProtocolBinding, SimCore } from '../engine/types.ts'
import type { ReconcilingNode } from './tx-reconcile.ts'

type Inner = TxGossipCore<number> | ReconcilingNode

/** An attacker: the real core, some of whose effects are dropped, and a flood of fake announcements. */
export class AttackerNode implements SimCore {
  readonly behaviour: AttackerBehaviour
  private readonly core: TxGossipCore<number>
  private readonly peers = new Set<number>()
  private readonly flood: AdversaryPlan['flood']
  private readonly rng: Rng
  private nextFloodAt: number

  private readonly activeFromMs: number

  constructor (core: TxGossipCore<number>, behaviour: AttackerBehaviour, plan: AdversaryPlan, rng: Rng, now: number) {
    this.core = core
    this.behaviour = behaviour
    this.flood = plan.flood
    this.activeFromMs = plan.activeFromMs
    this.rng = rng
    // Flooders start at a random phase of their period, so that they do not all fire at once.
    this.nextFloodAt = behaviour === 'flood' ? Math.max(now, plan.activeFromMs) + rng.next() * plan.flood.intervalMs : Infinity
  }

  nextWakeup (): number | undefined {
    const due = this.core.nextWakeup()
    if (this.nextFloodAt === Infinity) return due
    return due === undefined ? this.nextFloodAt : Math.min(due, this.nextFloodAt)
  }

  /** The core's handleInto, less the effects this attacker never carries out, plus its flood. */
  handleInto (input: GossipInput<number>, out: Array<GossipEffect<number>>): Array<GossipEffect<number>> {
    if (input.type === 'peer-up') this.peers.add(input.peer)
    else if (input.type === 'peers-up') for (const p of input.peers) this.peers.add(p)
    else if (input.type === 'peer-down') this.peers.delete(input.peer)
    const start = out.length
    this.core.handleInto(input, out)
    const active = input.now >= this.activeFromMs
    let w = start
    for (let i = start; i < out.length; i++) if (this.carriesOut(out[i]!, active)) out[w++] = out[i]!
    out.length = w
    if (input.type === 'tick' && input.now >= this.nextFloodAt) {
      const message: GossipMessage = { type: 'inv', items: Array.from({ length: this.flood.ids }, () => ({ id: this.fakeId(), size: this.flood.sizeBytes, hops: 1 })) }
      for (const peer of this.peers) out.push({ type: 'send', peer, message })
      this.nextFloodAt = input.now + this.flood.intervalMs
    }
    return out
  }

  private carriesOut (e: GossipEffect<number>, active: boolean): boolean {
    if (e.type === 'deliver') return false
    if (!active || this.behaviour === 'honest') return true
    switch (e.type) {
      case 'serve': return false
      case 'send':
        if (this.behaviour === 'silent') return false
        if (this.behaviour === 'censor') return e.message.type === 'getdata'
        return e.message.type !== 'notfound'
      default: return true
    }
  }

  /** A transaction id nobody holds: 32 random bytes in hex. */
  private fakeId (): string {
    let id = ''
    for (let i = 0; i < 8; i++) id += this.rng.int(0x100000000).toString(16).padStart(8, '0')
    return id
  }
}

/** An honest node with the reputation core beside its gossip core. */
export class GuardedNode implements SimCore {
  readonly core: Inner
  /** Created at the first offence (most nodes of a run never see one). */
  reputation: ReputationCore | undefined
  /** Peers whose link reputation closed (disconnect or ban). */
  cut: Set<number> | undefined

  constructor (core: Inner) {
    this.core = core
  }

  nextWakeup (): number | undefined {
    return this.core.nextWakeup()
  }
}

type AdversaryNode = Inner | AttackerNode | GuardedNode

/**
 * The binding of `base` (./tx-gossip.ts) with the run's attackers (`roles`: per node, 0 honest or
 * the behaviour's code, Timeline.attackers) and the honest nodes' reputation.
 */
export function adversaryBinding (base: ProtocolBinding<Inner>, plan: AdversaryPlan, roles: Uint8Array): ProtocolBinding<AdversaryNode> {
  const isAttacker = (node: number): boolean => roles[node] !== 0
  // The sink an honest node's core reports through: verdicts also go to its reputation core. One per
  // engine sink (the engine has one per thread); `node` and `now` are those of the call in progress.
  let guarded: GuardedNode | undefined
  let guardNow = 0
  const pending: number[] = []
  const guards = new WeakMap<EffectSink, EffectSink>()
  const guardOf = (sink: EffectSink): EffectSink => {
    let guard = guards.get(sink)
    if (guard === undefined) {
      guard = {
        ...sink,
        verdict: (peer: number, verdict: Verdict, code: string) => {
          sink.verdict(peer, verdict, code)
          const offence = offenceOfVerdict(verdict, code)
          if (offence !== undefined && guarded !== undefined) penalise(guarded, peer, offence, sink)
        }
      }
      guards.set(sink, guard)
    }
    return guard
  }
  const penalise = (node: GuardedNode, peer: number, offence: OffenceCode, sink: EffectSink): void => {
    node.reputation ??= new ReputationCore()
    for (const action of node.reputation.penalise(String(peer), offence, guardNow)) {
      sink.trace(`reputation:${action.type}:${isAttacker(peer) ? 'attacker' : 'honest'}`)
      if (action.type !== 'graylist') pending.push(peer)
    }
  }
  // Runs one call into an honest node's core, then closes the links its reputation asked to close.
  const guard = (node: GuardedNode, now: number, sink: EffectSink, call: (g: EffectSink) => void): void => {
    const g = guardOf(sink)
    const outer = guarded
    guarded = node
    guardNow = now
    try {
      call(g)
      while (pending.length > 0) {
        const peer = pending.pop()!
        node.cut ??= new Set()
        if (node.cut.has(peer)) continue
        node.cut.add(peer)
        base.onPeerDown(node.core, peer, now, g)
      }
    } finally {
      guarded = outer
    }
  }
  const inner = (node: AdversaryNode): Inner => node as unknown as Inner

  return {
    name: base.name,
    parseParams: base.parseParams,
    createCore: (setup: NodeSetup, sink: EffectSink): AdversaryNode => {
      const code = roles[setup.index]!
      if (code !== 0) {
        const core = base.createCore({ ...setup, neighbours: [] }, sink) as TxGossipCore<number>
        const node = new AttackerNode(core, ATTACKER_CODES[code - 1]!, plan, setup.rng.fork(7), setup.now)
        for (const peer of setup.neighbours) base.onPeerUp(inner(node), peer, setup.now, sink)
        return node
      }
      if (!plan.reputation) return base.createCore(setup, sink)
      const node = new GuardedNode(base.createCore({ ...setup, neighbours: [] }, sink))
      if (setup.neighbours.length > 0) guard(node, setup.now, sink, g => { for (const peer of setup.neighbours) base.onPeerUp(node.core, peer, setup.now, g) })
      return node
    },
    onMessage: (node, from, message, now, sink, c, d) => {
      if (!(node instanceof GuardedNode)) return base.onMessage(inner(node), from, message, now, sink, c, d)
      if (node.cut?.has(from) === true) return sink.trace('reputation:dropped-closed-link')
      // As the node's gossip service: a graylisted peer's messages are ignored (docs/security.md).
      if (node.reputation?.isGraylisted(String(from), now) === true) return sink.verdict(from, 'ignore', 'graylisted')
      guard(node, now, sink, g => { base.onMessage(node.core, from, message, now, g, c, d) })
    },
    onTick: (node, now, sink) => {
      if (!(node instanceof GuardedNode)) return base.onTick(inner(node), now, sink)
      guard(node, now, sink, g => { base.onTick(node.core, now, g) })
    },
    onPublish: (node, tx, now, sink) => {
      if (!(node instanceof GuardedNode)) return base.onPublish(inner(node), tx, now, sink)
      guard(node, now, sink, g => { base.onPublish(node.core, tx, now, g) })
    },
    onPeerUp: (node, peer, now, sink, outbound) => {
      if (!(node instanceof GuardedNode)) return base.onPeerUp(inner(node), peer, now, sink, outbound)
      if (node.cut?.has(peer) === true) return
      guard(node, now, sink, g => { base.onPeerUp(node.core, peer, now, g, outbound) })
    },
    onPeerDown: (node, peer, now, sink) => {
      if (!(node instanceof GuardedNode)) return base.onPeerDown(inner(node), peer, now, sink)
      if (node.cut?.has(peer) === true) return
      guard(node, now, sink, g => { base.onPeerDown(node.core, peer, now, g) })
    },
    ...(base.toThread === undefined ? {} : { toThread: base.toThread }),
    ...(base.fromThread === undefined ? {} : { fromThread: base.fromThread })
  }
}
