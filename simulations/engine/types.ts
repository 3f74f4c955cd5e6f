/**
 * The seam between the engine and a protocol core. A binding adapts one core from protocols/ (its own
 * input and effect shapes) to the engine: it builds a core per node and turns the engine's happenings
 * (a message arrived, a timer fired, the app published, a peer came or went) into the core's inputs,
 * then reads the core's effects back into an EffectSink. A binding holds no protocol logic: every
 * decision (whom to send to, what, when) is the core's.
 *
 * The engine names nodes by index, here too: a peer is its node index. A core that takes opaque peer
 * handles (tx-gossip) gets the indices as they are, and a string costs nothing per message; a core
 * that wants libp2p peer ids gets them from `peerIdOf`.
 */
import type { Rng } from '../../protocols/common/rng.ts'
import type { Verdict } from '../../protocols/common/effects.ts'
import type { AdversaryPlan } from './plan.ts'

/** A transaction the workload publishes. */
export interface SimTransaction {
  /** Index in publication order, 0-based. */
  readonly index: number
  /** SHA-256 of the payload (32 bytes). */
  readonly id: Uint8Array
  /** The id as lower-case hex (how cores name transactions). */
  readonly key: string
  readonly payload: Uint8Array
  readonly registerId: string
  /** In a register scenario (engine/registers.ts), the register again: set only there, so that cores elsewhere never hear of registers. */
  readonly register?: string
  /** Index of the publishing node. */
  readonly publisher: number
  /** Virtual time of publication, ms. */
  readonly publishedAt: number
}

/** What a binding knows when it builds one node's core. */
export interface NodeSetup {
  /** The node's index (its peer id, if the core wants one: `peerIdOf(index)`). */
  readonly index: number
  /** The node's own generator, forked from the run seed by node index. */
  readonly rng: Rng
  /** Nodes this node is connected to at creation (indices). */
  readonly neighbours: readonly number[]
  /** The scenario's protocol parameters, validated by the binding's parseParams. */
  readonly params: unknown
  /** Current virtual time, ms. */
  readonly now: number
  /** Number of nodes in the scenario (an estimate of network size, as a real node would configure). */
  readonly networkSize: number
  /** The run's published transactions by key (hex id): what a node's store would return once it holds one. */
  readonly lookupTx: (key: string) => SimTransaction | undefined
  /** The peer id of node `index`. */
  readonly peerIdOf: (index: number) => string
}

/**
 * Where a binding reports the effects of one call into a core, and asks the run what a node's
 * runtime would know (its store of transactions, the peer ids of other nodes).
 */
export interface EffectSink {
  /**
   * Send `message` to node `to`; `sizeBytes` is its encoded size, `body` whether it carries a full
   * transaction. `c` and `d` travel with it as they are (default 0): a binding may encode a common
   * message as a small-integer `message` plus these two numbers, so that the messages in flight (a
   * million at a time at 100,000 nodes) are no objects for the garbage collector to copy.
   */
  send: (to: number, message: unknown, sizeBytes: number, body: boolean, c?: number, d?: number) => void
  /** The app at this node received a transaction (per the core); `key` is its id in hex, `hops` relays after publication (-1 unknown). */
  deliver: (key: string, hops: number) => void
  /** The core wants a tick at virtual time `at`. */
  wakeup: (at: number) => void
  /** The core judged a peer (a node index). */
  verdict: (peer: number, verdict: Verdict, code: string) => void
  /** A trace event, counted by name. */
  trace: (event: string) => void
  /** Index of the published transaction with this key (hex id), or -1. */
  txIndex: (key: string) => number
  /** The published transaction with this index. */
  txAt: (index: number) => SimTransaction | undefined
  /** The peer id of node `index`. */
  peerIdOf: (index: number) => string
  /** Counts `bytes` (already counted in `send`) under a label, e.g. one protocol's share of the traffic. */
  account: (label: string, bytes: number) => void
}

/** A protocol core as the engine holds it: only the contract's two members. */
export interface SimCore {
  nextWakeup: () => number | undefined
}

/** Adapts one protocol core to the engine. */
export interface ProtocolBinding<C extends SimCore = SimCore> {
  /** Name a scenario uses in `protocol.name`. */
  readonly name: string
  /** Validates and defaults the scenario's `protocol.params`; throws ScenarioError on bad input. */
  parseParams: (raw: unknown, keyPrefix: string) => unknown
  /** Builds a node's core (and feeds it its initial neighbours; effects go to `sink`). */
  createCore: (setup: NodeSetup, sink: EffectSink) => C
  /** A message from node `from` arrived, with the `c` and `d` it was sent with. */
  onMessage: (core: C, from: number, message: unknown, now: number, sink: EffectSink, c: number, d: number) => void
  /** The core's wakeup time came. */
  onTick: (core: C, now: number, sink: EffectSink) => void
  /** The app at this node publishes a transaction. */
  onPublish: (core: C, tx: SimTransaction, now: number, sink: EffectSink) => void
  /** A connection to node `peer` opened; `outbound` when this node opened it (a node back from an offline window). */
  /** `params`: the scenario's protocol parameters (as NodeSetup.params). */
  onPeerUp: (core: C, peer: number, now: number, sink: EffectSink, outbound?: boolean, params?: unknown) => void
  /** The connection to `peer` closed (graceful leave, or a crash once detected). */
  onPeerDown: (core: C, peer: number, now: number, sink: EffectSink) => void
  /**
   * A message object as plain data, to cross to another worker thread of a parallel run (a
   * structured clone keeps data, not classes), and the message again from that data. Both default
   * to the message itself.
   */
  toThread?: (message: unknown) => unknown
  fromThread?: (data: unknown) => unknown
  /**
   * This binding with the run's attackers (scenario key `adversary`): `roles` holds, per node, 0 for
   * an honest node or the attacker's behaviour code (Timeline.attackers). Absent: the protocol has no
   * attackers to offer, and a run that asks for them fails.
   */
  withAdversary?: (plan: AdversaryPlan, roles: Uint8Array) => ProtocolBinding
}

/**
 * The first value of an object field that holds a time the engine passes on (typed `number`, not
 * a number at all). V8 stores a field that has only ever held numbers as a raw number, and boxes it
 * afresh for every call it is passed to; a field that first held something else keeps a reference
 * to the boxed number it is given, and passes that on. The engine's clock and the bindings' reused
 * inputs start with it, and are set to a real time before anything reads them.
 */
export const BOXED_TIME = undefined as unknown as number
