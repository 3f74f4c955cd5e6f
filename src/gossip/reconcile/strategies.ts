/**
 * The Reconciler each strategy builds (protocols/tx-gossip/SPEC.md §9.2): sorcha reconciles every
 * register and pulls through the tx-gossip core; gossipsub reconciles the registers it follows and
 * pulls on the reconciliation protocol.
 */
import { createHash } from 'node:crypto'
import { ALL_REGISTERS, type ReconcileConfig } from '../../../protocols/reconcile/index.ts'
import type { GossipInput, TxGossipConfig } from '../../../protocols/tx-gossip/index.ts'
import type { Transaction } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import type { Config } from '../../config/index.ts'
import type { Logger } from '../../logging/index.ts'
import { FRAME_OVERHEAD_BYTES, MAX_SERVE_JOBS_PER_PEER } from '../constants.ts'
import type { TxStore } from '../store/tx-store.ts'
import { BodyPuller } from './body-puller.ts'
import { InvPuller } from './inv-puller.ts'
import { Reconciler, type ReconcilerComponents } from './reconciler.ts'

type Verdict = (peer: string, verdict: 'accept' | 'ignore' | 'reject', code: string) => void

/** What both strategies hand over. */
export interface StrategyReconcilerInit {
  /** Told when a transaction reconciliation found missing is stored (the event log's tx_recovered). */
  onRecovered?: (id: string) => void
  components: ReconcilerComponents
  store: TxStore
  config: Readonly<Config['gossip']>
  /** This node's peer id (seeds the core's Rng). */
  self: string
  onVerdict: Verdict
  log: Logger
  /** When the oldest transaction of the outbound queue was queued (Reconciler: sessions wait for the backlog). */
  backlogSince?: () => number | undefined
}

/** The core settings of a `gossip` configuration section, for a node serving `scopes`. */
export function reconcileCoreConfig (config: Readonly<Config['gossip']>, scopes: readonly string[]): Partial<ReconcileConfig> {
  const { intervalMs, onConnect, windowMs, settleMs, maxItems } = config.reconcile
  return { scopes, intervalMs, onConnect, windowMs, settleMs, maxItems }
}

const seedOf = (self: string): number => createHash('sha256').update(`${self}/reconcile`).digest().readUInt32LE(0)

/**
 * The sorcha strategy's: the registers served (`scopes`; every register when absent), needs fed to
 * the tx-gossip core (`feed`, `inflight`: its driver) tagged with their session's register.
 */
export function sorchaReconciler (init: StrategyReconcilerInit & { scopes?: readonly string[] | undefined, gossip: Readonly<TxGossipConfig>, feed: (input: Extract<GossipInput, { type: 'message' }> extends infer I ? Omit<I, 'now'> : never) => void, inflight: () => number }): Reconciler {
  const { gossip } = init
  return new Reconciler({
    components: init.components,
    store: init.store,
    core: reconcileCoreConfig(init.config, init.scopes ?? [ALL_REGISTERS]),
    seed: seedOf(init.self),
    streamTimeoutMs: init.config.streamTimeoutMs,
    puller: new InvPuller({
      announce: (peer, items) => { init.feed({ type: 'message', from: peer, message: { type: 'inv', items } }) },
      // A peer serves at most MAX_SERVE_JOBS_PER_PEER bodies queued for one requester and drops the
      // rest (they would wait for requestTimeoutMs): keep the fetches in flight below that.
      room: () => Math.min(gossip.maxInflight >> 1, MAX_SERVE_JOBS_PER_PEER >> 1) - init.inflight(),
      hops: gossip.hopLimit,
      maxItemsPerMessage: gossip.maxItemsPerMessage,
      maxQueued: init.config.reconcile.maxItems,
      ...(init.onRecovered === undefined ? {} : { recovered: init.onRecovered })
    }),
    onVerdict: init.onVerdict,
    log: init.log,
    ...(init.backlogSince === undefined ? {} : { backlogSince: init.backlogSince })
  })
}

/** The gossipsub strategy's: the registers followed (`*`: every register), bodies pulled on the reconciliation protocol and handed to `accept`. */
export function gossipsubReconciler (init: StrategyReconcilerInit & { registers: ReadonlySet<string>, accept: (id: string, tx: Transaction, from: string) => void }): Reconciler {
  const { config } = init
  const reconciler: Reconciler = new Reconciler({
    components: init.components,
    store: init.store,
    core: reconcileCoreConfig(config, [...init.registers]),
    seed: seedOf(init.self),
    streamTimeoutMs: config.streamTimeoutMs,
    maxFrameBytes: config.maxTxBytes + FRAME_OVERHEAD_BYTES,
    puller: new BodyPuller({
      send: (peer, frame) => reconciler.sendFrame(peer, frame),
      store: init.store,
      accept: init.accept,
      serves: registerId => init.registers.has(ALL_REGISTERS) || init.registers.has(registerId),
      verdict: init.onVerdict,
      maxTxBytes: config.maxTxBytes,
      maxQueued: config.reconcile.maxItems,
      ...(init.onRecovered === undefined ? {} : { recovered: init.onRecovered }),
      log: init.log
    }),
    onVerdict: init.onVerdict,
    log: init.log,
    ...(init.backlogSince === undefined ? {} : { backlogSince: init.backlogSince })
  })
  return reconciler
}
