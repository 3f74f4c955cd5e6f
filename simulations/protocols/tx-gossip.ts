/**
 * Binding of the tx-gossip core (protocols/tx-gossip) to the engine. The core decides everything;
 * this file only does what the node's runtime does for it (src/gossip), on the virtual network:
 * - `send` effects travel as they are (the logical message; its size is its wire size, see sizes below);
 * - `serve` effects become the body's chunks (CHUNK_BYTES each), sent to the peer as `chunk` inputs;
 * - `verify` is answered at once with `verified ok` (simulated bodies are never corrupt);
 * - `append`, `discard` and `progress` concern bytes the simulator does not hold, and are counted only;
 * - `deliver` marks the first receipt; verdicts and traces are counted; wakeups come from nextWakeup().
 */
import { createTxGossipCore, pushFanoutMean, resolveGossipConfig, GossipConfigError, type TxGossipCore } from '../../protocols/tx-gossip/index.ts'
import type { GossipEffect, GossipInput, GossipMessage, TxGossipConfig } from '../../protocols/tx-gossip/index.ts'
import { ScenarioError } from '../scenario/errors.ts'
import type { EffectSink, NodeSetup, ProtocolBinding, SimTransaction } from '../engine/types.ts'
import { chunkFrameBytes, gossipMessageBytes, notificationBytes } from './tx-gossip-sizes.ts'

/** Body bytes per chunk, as the node's adapter sends them (src/gossip default). */
export const CHUNK_BYTES = 64 * 1024

/** A body chunk on the virtual wire. */
interface ChunkMessage { readonly chunk: true, readonly id: string, readonly offset: number, readonly length: number, readonly total: number, readonly hops: number }

/** Scenario parameters: any core setting, plus `pushC` to set pushFanoutMean = ln(N) + c for the run's N. */
export type TxGossipParams = Partial<TxGossipConfig> & { pushC?: number }

/** One simulated node: its core, and the run's transaction table (the runtime's store, by id). */
export interface GossipNode {
  readonly core: TxGossipCore
  readonly lookupTx: NodeSetup['lookupTx']
  readonly publisherId: (tx: SimTransaction) => string
  nextWakeup: () => number | undefined
}

function parseParams (raw: unknown, keyPrefix: string): TxGossipParams {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ScenarioError('scenario', keyPrefix, raw, 'a map of tx-gossip settings')
  const params = { ...(raw as TxGossipParams) }
  if (params.pushC !== undefined && (typeof params.pushC !== 'number' || !Number.isFinite(params.pushC))) {
    throw new ScenarioError('scenario', `${keyPrefix}.pushC`, params.pushC, 'a number (c in a push fanout of ln(N) + c)')
  }
  const { pushC, ...config } = params
  try {
    resolveGossipConfig({ ...config, ...(pushC === undefined ? {} : { pushFanoutMean: pushFanoutMean(1000, pushC) }) })
  } catch (err) {
    if (err instanceof GossipConfigError) throw new ScenarioError('scenario', `${keyPrefix}.${err.field}`, (config as Record<string, unknown>)[err.field], err.message)
    throw err
  }
  return params
}

function run (node: GossipNode, input: GossipInput, sink: EffectSink): void {
  const effects = node.core.handle(input)
  for (let i = 0; i < effects.length; i++) {
    const verified = apply(node, effects[i]!, sink)
    // The runtime's answer to `verify` is the next input, fed after the current effects.
    if (verified !== undefined) run(node, { type: 'verified', now: input.now, id: verified, ok: true }, sink)
  }
}

/** Executes one effect; returns the id of a body to verify. */
function apply (node: GossipNode, e: GossipEffect, sink: EffectSink): string | undefined {
  switch (e.type) {
    case 'send': sink.send(e.peer, e.message, gossipMessageBytes(e.message), false); break
    case 'serve': serve(node, e.peer, e.id, e.offset, e.hops, sink); break
    case 'verify': return e.id
    case 'deliver': sink.deliver(e.id, e.hops); break
    // `schedule` repeats what nextWakeup() says, and the engine asks nextWakeup() after every call.
    case 'schedule': break
    case 'verdict': sink.verdict(e.peer, e.verdict, e.code); break
    case 'trace': sink.trace(e.event); break
    case 'append': case 'discard': case 'progress': break
  }
  return undefined
}

function serve (node: GossipNode, peer: string, id: string, offset: number, hops: number, sink: EffectSink): void {
  // The core serves only what it holds, so the body is in the runtime's store: the run's table.
  const tx = node.lookupTx(id)
  if (tx === undefined) return sink.trace('serve-unknown-tx')
  const total = tx.payload.length
  for (let at = offset; at < total || (total === 0 && at === 0); at += CHUNK_BYTES) {
    const length = Math.min(CHUNK_BYTES, total - at)
    const msg: ChunkMessage = { chunk: true, id, offset: at, length, total, hops }
    const notification = at === 0 ? notificationBytes(tx, node.publisherId(tx)) : 0
    sink.send(peer, msg, chunkFrameBytes(id, at, length, total, hops, notification), at === 0)
    if (total === 0) break
  }
}

function isChunk (m: unknown): m is ChunkMessage {
  return (m as ChunkMessage).chunk === true
}

/** The binding of the tx-gossip core. */
export const txGossipBinding: ProtocolBinding<GossipNode> = {
  name: 'tx-gossip',
  parseParams,
  createCore: (setup: NodeSetup, sink: EffectSink): GossipNode => {
    const { pushC, ...config } = setup.params as TxGossipParams
    const core = createTxGossipCore(pushC === undefined ? config : { ...config, pushFanoutMean: pushFanoutMean(setup.networkSize, pushC) }, setup.rng)
    const node: GossipNode = { core, lookupTx: setup.lookupTx, publisherId: tx => setup.peerIdOf(tx.publisher), nextWakeup: core.nextWakeup }
    for (const peer of setup.neighbours) run(node, { type: 'peer-up', now: setup.now, peer }, sink)
    return node
  },
  onMessage: (node, from, message, now, sink) => {
    if (isChunk(message)) {
      run(node, { type: 'chunk', now, from, id: message.id, offset: message.offset, length: message.length, total: message.total, hops: message.hops }, sink)
    } else {
      run(node, { type: 'message', now, from, message: message as GossipMessage }, sink)
    }
  },
  onTick: (node, now, sink) => { run(node, { type: 'tick', now }, sink) },
  onPublish: (node, tx: SimTransaction, now, sink) => {
    run(node, { type: 'publish', now, id: tx.key, size: tx.payload.length }, sink)
  },
  onPeerUp: (node, peer, now, sink) => { run(node, { type: 'peer-up', now, peer }, sink) },
  onPeerDown: (node, peer, now, sink) => { run(node, { type: 'peer-down', now, peer }, sink) }
}
