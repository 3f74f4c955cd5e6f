/**
 * The shapes shared by every protocol core (docs/conventions.md §2). A core is a state machine:
 * `handle(input) -> effects[]` plus `nextWakeup()`. Inputs carry `now`; effects are data that an
 * adapter (src/) or the simulator (simulations/) executes.
 */

/** How a core judges a remote peer's message. */
export type Verdict = 'accept' | 'ignore' | 'reject'

/** A core's judgement of something a peer sent; `code` is a bounded, enum-like string. */
export interface VerdictEffect<Code extends string = string, Peer = string> {
  type: 'verdict'
  peer: Peer
  verdict: Verdict
  code: Code
}

/** Something worth recording (a metric, a debug log line, a simulator event). */
export interface TraceEffect<Event extends string = string> {
  type: 'trace'
  event: Event
  data?: Record<string, string | number | boolean>
}

/** The contract every core implements. */
export interface Core<Input, Effect> {
  /** Feeds one input (which carries `now`) and returns what to do about it. */
  handle: (input: Input) => Effect[]
  /** When the core next needs a `tick` input, in the same clock as `now`; undefined if never. */
  nextWakeup: () => number | undefined
}
