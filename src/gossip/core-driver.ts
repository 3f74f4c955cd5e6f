/**
 * Runs a tx-gossip core in real time: one input at a time (inputs raised while executing effects are
 * queued, so effects run in the order the core returned them), `now` from the wall clock, and one
 * timer armed at or before `nextWakeup()`, cleared by stop().
 */
import type { TransactionNotification } from '../../protocols/models/index.ts'
import type { GossipEffect, GossipInput, TxGossipCore } from '../../protocols/tx-gossip/index.ts'
import { WakeupTimer } from './wakeup-timer.ts'

/** Body bytes that travel with a `chunk` input, for its `append` effect. */
export interface ChunkPayload {
  data: Uint8Array
  notification?: TransactionNotification
  /** Hops the chunk's transaction arrives with (the chunk frame's hop count). */
  hops?: number
}

/** Executes one effect; `payload` is the chunk that came with the input, if any. */
export type EffectExecutor = (effect: GossipEffect, payload: ChunkPayload | undefined) => void

type InputWithoutNow = GossipInput extends infer I ? I extends GossipInput ? Omit<I, 'now'> : never : never

/** Drives a core. */
export class CoreDriver {
  readonly core: TxGossipCore
  private readonly execute: EffectExecutor
  private readonly inbox: Array<[GossipInput, ChunkPayload | undefined]> = []
  private running = false
  private stopped = false
  private readonly wakeup = new WakeupTimer(() => { this.feed({ type: 'tick' }) })

  constructor (core: TxGossipCore, execute: EffectExecutor) {
    this.core = core
    this.execute = execute
  }

  /** Feeds an input stamped with the current time. */
  feed (input: InputWithoutNow, payload?: ChunkPayload): void {
    if (this.stopped) return
    this.inbox.push([{ ...input, now: Date.now() } as GossipInput, payload])
    if (this.running) return
    this.running = true
    try {
      while (this.inbox.length > 0) {
        const [next, data] = this.inbox.shift() as [GossipInput, ChunkPayload | undefined]
        for (const effect of this.core.handle(next)) this.execute(effect, data)
      }
    } finally {
      this.running = false
      this.arm()
    }
  }

  /** Stops the timer and refuses further inputs. */
  stop (): void {
    this.stopped = true
    this.inbox.length = 0
    this.wakeup.clear()
  }

  // A timer already armed at or before the next wakeup is kept: it fires early, the core finds
  // nothing due, and the driver re-arms (fetch deadlines move later with every request).
  private arm (): void {
    if (!this.stopped) this.wakeup.arm(this.core.nextWakeup())
  }
}
