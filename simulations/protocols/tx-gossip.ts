/**
 * Binding of the tx-gossip core (protocols/tx-gossip) to the engine. The core decides everything;
 * this file only does what the node's runtime does for it (src/gossip), on the virtual network:
 * - `send` effects travel as they are (the logical message; its size is its wire size, see sizes below);
 * - `serve` effects become the body's chunks (CHUNK_BYTES each), sent to the peer as `chunk` inputs;
 * - `verify` is answered at once with `verified ok` (simulated bodies are never corrupt);
 * - `append`, `discard` and `progress` concern bytes the simulator does not hold, and are counted only;
 * - `deliver` marks the first receipt; verdicts and traces are counted; wakeups come from nextWakeup().
 *
 * Like the node's own wire encoding, messages are packed for the trip (see ./tx-gossip-packing.ts):
 * the common ones travel as numbers, and the core gets the same logical message on arrival.
 */
import { createTxGossipCore, DEFAULT_GOSSIP_CONFIG, pushFanoutMean, resolveGossipConfig, GossipConfigError, type TxGossipCore } from '../../protocols/tx-gossip/index.ts'
import { BloomFilter, WordArena } from '../../protocols/tx-gossip/index.ts'
import type { BloomFilterWire, GossipEffect, GossipInput, GossipMessage, TxGossipConfig } from '../../protocols/tx-gossip/index.ts'
import { rejectUnknownKeys, ScenarioError } from '../scenario/errors.ts'
import { BOXED_TIME, type EffectSink, type NodeSetup, type ProtocolBinding } from '../engine/types.ts'
import { chunkFrameBytes, gossipMessageBytes, notificationBytes } from './tx-gossip-sizes.ts'
import { CHUNK, originOf, packChunk, packMessage, unpackInput } from './tx-gossip-packing.ts'
import { isReconcileMessage, parseReconcileParams, ReconcilingNode } from './tx-reconcile.ts'
import type { ReconcileConfig } from '../../protocols/reconcile/index.ts'
import { adversaryBinding } from './tx-gossip-adversary.ts'
import { parseRegisterLayout, servedBy, type RegisterLayout } from '../engine/registers.ts'

/** Body bytes per chunk, as the node's adapter sends them (src/gossip default). */
export const CHUNK_BYTES = 64 * 1024

/**
 * Scenario parameters: any core setting, plus `pushC` to set pushFanoutMean = ln(N) + c for the run's
 * N, and `reconcile` (true, or reconciliation core settings) to run reconciliation beside gossip
 * (./tx-reconcile.ts; off unless set).
 */
export type TxGossipParams = Partial<TxGossipConfig> & { pushC?: number, reconcile?: boolean | Partial<ReconcileConfig>, registers?: RegisterLayout }

function parseParams (raw: unknown, keyPrefix: string): TxGossipParams {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ScenarioError('scenario', keyPrefix, raw, 'a map of tx-gossip settings')
  rejectUnknownKeys(raw, [...Object.keys(DEFAULT_GOSSIP_CONFIG), 'pushC', 'reconcile', 'registers'], keyPrefix)
  const { reconcile, registers, ...params } = raw as TxGossipParams
  const reconcileConfig = parseReconcileParams(reconcile, `${keyPrefix}.reconcile`)
  const layout = parseRegisterLayout(registers, `${keyPrefix}.registers`)
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
  return { ...params, ...(reconcileConfig === undefined ? {} : { reconcile: reconcileConfig }), ...(layout === undefined ? {} : { registers: layout }) }
}

// One resolved configuration per run (its params object) and network size, shared by every core.
const configs = new WeakMap<object, { networkSize: number, config: Readonly<TxGossipConfig> }>()

function configFor (setup: NodeSetup): Readonly<TxGossipConfig> {
  const params = setup.params as TxGossipParams
  const hit = configs.get(params)
  if (hit?.networkSize === setup.networkSize) return hit.config
  const { pushC, reconcile: _reconcile, registers: _registers, ...config } = params
  const resolved = resolveGossipConfig(pushC === undefined ? config : { ...config, pushFanoutMean: pushFanoutMean(setup.networkSize, pushC) })
  configs.set(params, { networkSize: setup.networkSize, config: resolved })
  return resolved
}

// The seen-sets of all cores of this thread, as slices of a few shared arrays (rotating-bloom.ts);
// an array is freed once the cores using it are gone, so runs one after another do not add up.
const seenArena = new WordArena()

// The answer to `verify`, reused like the packed messages' inputs (tx-gossip-packing.ts): the core
// keeps nothing of an input, and answering a `verify` never asks for another.
const verifiedInput = { type: 'verified' as const, now: BOXED_TIME, id: '', ok: true }

// Effect arrays reused across calls, one per nesting level (a `verify` answer is fed while the
// effects of the input that asked for it are still being executed).
const pool: Array<Array<GossipEffect<number>>> = []
let depth = 0

function run (core: TxGossipCore<number>, input: GossipInput<number>, sink: EffectSink): void {
  const effects = pool[depth] ?? (pool[depth] = [])
  depth++
  try {
    core.handleInto(input, effects)
    for (let i = 0; i < effects.length; i++) {
      const verified = apply(effects[i]!, sink)
      // The runtime's answer to `verify` is the next input, fed after the current effects.
      if (verified !== undefined) {
        verifiedInput.now = input.now
        verifiedInput.id = verified
        run(core, verifiedInput, sink)
      }
    }
  } finally {
    while (effects.length > 0) effects.pop()
    depth--
  }
}

/** Executes one effect; returns the id of a body to verify. */
function apply (e: GossipEffect<number>, sink: EffectSink): string | undefined {
  switch (e.type) {
    case 'send': send(e.peer, e.message, sink); break
    case 'serve': serve(e.peer, e.id, e.offset, e.hops, sink); break
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

// The encoding of the last message sent: a relay sends one inv object to each of its targets, so it
// is packed and measured once (effects are read-only, so the same object means the same message).
let lastMessage: GossipMessage | undefined
let lastSink: EffectSink | undefined
let lastTag = 0
let lastC = 0
let lastD = 0
let lastBytes = 0

function send (peer: number, message: GossipMessage, sink: EffectSink): void {
  if (message !== lastMessage || sink !== lastSink) {
    const packed = packMessage(message, sink)
    lastBytes = gossipMessageBytes(message)
    if (packed === undefined) {
      lastMessage = undefined
      return sink.send(peer, message, lastBytes, false)
    }
    lastMessage = message
    lastSink = sink
    lastTag = packed.tag
    lastC = packed.c
    lastD = packed.d
  }
  sink.send(peer, lastTag, lastBytes, false, lastC, lastD)
}

function serve (peer: number, id: string, offset: number, hops: number, sink: EffectSink): void {
  // The core serves only what it holds, so the body is in the runtime's store: the run's table.
  const index = sink.txIndex(id)
  const tx = sink.txAt(index)
  if (tx === undefined) return sink.trace('serve-unknown-tx')
  const total = tx.payload.length
  for (let at = offset; at < total || (total === 0 && at === 0); at += CHUNK_BYTES) {
    const length = Math.min(CHUNK_BYTES, total - at)
    const notification = at === 0 ? notificationBytes(tx, sink.peerIdOf(tx.publisher)) : 0
    sink.send(peer, CHUNK, chunkFrameBytes(id, at, length, total, hops, notification), at === 0, index, packChunk(at, hops))
    if (total === 0) break
  }
}

/**
 * A register scenario (engine/registers.ts): the core is told what its node serves and what each
 * neighbour serves, as the node's adapter reads it from peer records once advertising fills them.
 */
function scopeInputs (core: TxGossipCore<number>, layout: RegisterLayout, index: number, peers: readonly number[], now: number, sink: EffectSink): void {
  if (index >= 0) run(core, { type: 'scope', now, registers: servedBy(layout, index) }, sink)
  for (const peer of peers) run(core, { type: 'peer-scope', now, peer, registers: servedBy(layout, peer) }, sink)
}

const coreOf = (core: TxGossipCore<number> | ReconcilingNode): TxGossipCore<number> => core instanceof ReconcilingNode ? core.gossip : core

function createNode (setup: NodeSetup, sink: EffectSink): TxGossipCore<number> | ReconcilingNode {
  // Peers are node indices (engine/types.ts): the core takes any peer handle.
  const core = createTxGossipCore<number>(configFor(setup), setup.rng, { seenArena })
  const layout = (setup.params as TxGossipParams).registers
  if (layout !== undefined) scopeInputs(core, layout, setup.index, [], setup.now, sink)
  const reconcile = (setup.params as TxGossipParams).reconcile
  if (reconcile === undefined || reconcile === false) {
    if (setup.neighbours.length > 0) run(core, { type: 'peers-up', now: setup.now, peers: setup.neighbours }, sink)
    if (layout !== undefined) scopeInputs(core, layout, -1, setup.neighbours, setup.now, sink)
    return core
  }
  const node = new ReconcilingNode(core, reconcile === true ? {} : reconcile, setup, sink, run)
  if (setup.neighbours.length > 0) node.gossipInput({ type: 'peers-up', now: setup.now, peers: setup.neighbours })
  if (layout !== undefined) scopeInputs(core, layout, -1, setup.neighbours, setup.now, sink)
  // A node created after the start is a joiner: it dialled these neighbours, and catches up from them.
  for (const peer of setup.neighbours) node.reconcileInput({ type: 'peer-up', now: setup.now, peer, outbound: setup.now > 0 })
  return node
}

/** The binding of the tx-gossip core (and, with `reconcile`, of reconciliation beside it). */
export const txGossipBinding: ProtocolBinding<TxGossipCore<number> | ReconcilingNode> = {
  name: 'tx-gossip',
  parseParams,
  createCore: createNode,
  onMessage: (core, from, message, now, sink, c, d) => {
    if (!(core instanceof ReconcilingNode)) return run(core, unpackInput(message, from, now, c, d, sink, CHUNK_BYTES), sink)
    if (isReconcileMessage(message)) return core.reconcileInput({ type: 'message', now, from, message })
    core.gossipInput(unpackInput(message, from, now, c, d, core.sink, CHUNK_BYTES))
  },
  onTick: (core, now, sink) => {
    if (!(core instanceof ReconcilingNode)) return run(core, { type: 'tick', now }, sink)
    core.gossipInput({ type: 'tick', now })
    core.reconcileInput({ type: 'tick', now })
  },
  onPublish: (core, tx, now, sink) => {
    const publish = tx.register === undefined
      ? { type: 'publish' as const, now, id: tx.key, size: tx.payload.length, origin: originOf(tx.publisher) }
      : { type: 'publish' as const, now, id: tx.key, size: tx.payload.length, register: tx.register, origin: originOf(tx.publisher) }
    if (!(core instanceof ReconcilingNode)) return run(core, publish, sink)
    core.gossipInput(publish)
    core.added(tx.key, now)
  },
  onPeerUp: (core, peer, now, sink, outbound = false, params?: unknown) => {
    const layout = (params as TxGossipParams | undefined)?.registers
    if (!(core instanceof ReconcilingNode)) {
      run(core, { type: 'peer-up', now, peer }, sink)
      if (layout !== undefined) scopeInputs(core, layout, -1, [peer], now, sink)
      return
    }
    core.gossipInput({ type: 'peer-up', now, peer })
    if (layout !== undefined) scopeInputs(coreOf(core), layout, -1, [peer], now, core.sink)
    core.reconcileInput({ type: 'peer-up', now, peer, outbound })
  },
  onPeerDown: (core, peer, now, sink) => {
    if (!(core instanceof ReconcilingNode)) return run(core, { type: 'peer-down', now, peer }, sink)
    core.gossipInput({ type: 'peer-down', now, peer })
    core.reconcileInput({ type: 'peer-down', now, peer })
  },
  // A summary carries a BloomFilter: across threads it travels in its wire form, as between nodes.
  toThread: message => {
    const m = message as GossipMessage
    return m.type === 'summary' ? { type: 'summary', wire: m.filter.toWire() } : m
  },
  fromThread: data => {
    const d = data as GossipMessage | { type: 'summary', wire: BloomFilterWire }
    if (d.type !== 'summary' || !('wire' in d)) return d
    const filter = BloomFilter.fromWire(d.wire)
    // The sender's own filter, so its form is well made; a malformed one would be the core's to judge.
    return filter === undefined ? d : { type: 'summary', filter }
  },
  withAdversary: (plan, roles) => adversaryBinding(txGossipBinding, plan, roles) as unknown as ProtocolBinding
}
