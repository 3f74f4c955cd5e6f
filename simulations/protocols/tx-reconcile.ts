/**
 * Reconciliation (protocols/reconcile, protocols/tx-gossip/SPEC.md §9) beside the tx-gossip core in
 * the simulator, as the node runs it (src/gossip/reconcile): each node holds both cores; what the
 * gossip core delivers (or the node publishes) enters the reconciliation index, reconciliation's
 * messages travel as objects with their exact wire size (the node's encoder), and its needs are
 * handed to the gossip core as announcements at hop count hopLimit (pulled, not relayed), as the
 * node's InvPuller does. Unlike the node, the simulator does not pace them: the gossip core takes
 * up to maxInflight at once and ignores the rest (a later session finds them again).
 */
import type { GossipEffect, GossipInput, TxGossipCore } from '../../protocols/tx-gossip/index.ts'
import { createReconcileCore, DEFAULT_RECONCILE_CONFIG, encodeReconcile, ReconcileConfigError, resolveReconcileConfig, type ReconcileConfig, type ReconcileCore, type ReconcileEffect, type ReconcileInput, type ReconcileMessage } from '../../protocols/reconcile/index.ts'
import type { EffectSink, NodeSetup } from '../engine/types.ts'
import { rejectUnknownKeys, ScenarioError } from '../scenario/errors.ts'
import { varintBytes } from './tx-gossip-sizes.ts'

/** The label reconciliation's bytes are accounted under (summary.protocolBytes). */
export const RECONCILE_BYTES = 'tx-reconcile'

/** Runs one input through the gossip core and executes its effects (the tx-gossip binding's `run`). */
export type GossipRunner = (core: TxGossipCore<number>, input: GossipInput<number>, sink: EffectSink) => void

/** A node with both cores. */
export class ReconcilingNode {
  readonly gossip: TxGossipCore<number>
  readonly reconcile: ReconcileCore<number>
  /** The engine's sink, with `deliver` also feeding the reconciliation index. */
  readonly sink: EffectSink
  private readonly runGossip: GossipRunner
  private readonly lookup: NodeSetup['lookupTx']

  constructor (gossip: TxGossipCore<number>, config: Partial<ReconcileConfig>, setup: NodeSetup, sink: EffectSink, runGossip: GossipRunner) {
    this.gossip = gossip
    this.reconcile = createReconcileCore<number>(config, setup.rng.fork(7))
    this.runGossip = runGossip
    this.lookup = setup.lookupTx
    this.sink = {
      ...sink,
      deliver: (key, hops) => {
        sink.deliver(key, hops)
        this.added(key, this.nowOf)
      }
    }
  }

  /** Time of the input being handled (the sink's deliver has no `now`). */
  nowOf = 0

  nextWakeup (): number | undefined {
    const a = this.gossip.nextWakeup()
    const b = this.reconcile.nextWakeup()
    return a === undefined ? b : b === undefined ? a : Math.min(a, b)
  }

  /** Feeds the gossip core (its deliveries enter the index). */
  gossipInput (input: GossipInput<number>): void {
    this.nowOf = input.now
    this.runGossip(this.gossip, input, this.sink)
  }

  /** Feeds the reconciliation core and executes its effects. */
  reconcileInput (input: ReconcileInput<number>): void {
    for (const effect of this.reconcile.handle(input)) this.apply(effect, input.now)
  }

  /** The node now holds transaction `key`. */
  added (key: string, now: number): void {
    const tx = this.lookup(key)
    if (tx === undefined) return
    this.reconcileInput({ type: 'add', now, item: { id: key, ts: Math.floor(tx.publishedAt), size: tx.payload.length, register: tx.registerId } })
  }

  private apply (effect: ReconcileEffect<number>, now: number): void {
    const { sink } = this
    switch (effect.type) {
      case 'send': {
        const frame = encodeReconcile(effect.message).length
        const bytes = varintBytes(frame) + frame
        sink.account(RECONCILE_BYTES, bytes)
        sink.send(effect.peer, effect.message, bytes, false)
        return
      }
      case 'need': {
        const { hopLimit, maxItemsPerMessage } = this.gossip.config
        const items = effect.items.map(item => ({ id: item.id, size: item.size, hops: hopLimit }))
        for (let at = 0; at < items.length; at += maxItemsPerMessage) {
          this.gossipInput({ type: 'message', now, from: effect.peer, message: { type: 'inv', items: items.slice(at, at + maxItemsPerMessage) } })
        }
        return
      }
      case 'verdict': sink.verdict(effect.peer, effect.verdict, effect.code); return
      case 'trace': sink.trace(`reconcile-${effect.event}`); return
      case 'schedule': return
    }
  }
}

/** True for a reconciliation message (gossip messages travel packed as numbers or as their own objects). */
export function isReconcileMessage (message: unknown): message is ReconcileMessage {
  const type = (message as { type?: unknown } | null)?.type
  return type === 'ranges' || type === 'refuse'
}

/** Checks `protocol.params.reconcile`: true, or a map of reconciliation core settings. */
export function parseReconcileParams (raw: unknown, keyPrefix: string): Partial<ReconcileConfig> | undefined {
  if (raw === undefined || raw === false) return undefined
  if (raw === true) return {}
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ScenarioError('scenario', keyPrefix, raw, 'true, false or a map of reconciliation settings')
  rejectUnknownKeys(raw, Object.keys(DEFAULT_RECONCILE_CONFIG), keyPrefix)
  try {
    resolveReconcileConfig(raw as Partial<ReconcileConfig>)
  } catch (err) {
    if (err instanceof ReconcileConfigError) throw new ScenarioError('scenario', `${keyPrefix}.${err.field}`, (raw as Record<string, unknown>)[err.field], err.message)
    throw err
  }
  return raw as Partial<ReconcileConfig>
}

/** The gossip effects type, for the binding's runner. */
export type { GossipEffect }
