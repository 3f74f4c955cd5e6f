/**
 * Runs a tx-gossip core in real time: one input at a time (inputs raised while executing effects are
 * queued, so effects run in the order the core returned them), `now` from the wall clock, and one
 * timer armed at `nextWakeup()`, cleared by stop().
 */
import type { TransactionNotification } from '../../protocols/models/index.ts'
import type { GossipEffect, GossipInput, TxGossipCore } from '../../protocols/tx-gossip/index.ts'

/** Body bytes that travel with a `chunk` input, for its `append` effect. */
export interface ChunkPayload {
  data: Uint8Array
  notification?: TransactionNotification
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
  private timer: ReturnType<typeof setTimeout> | undefined
  private armedAt: number | undefined

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
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private arm (): void {
    const at = this.core.nextWakeup()
    if (at === this.armedAt && this.timer !== undefined) return
    clearTimeout(this.timer)
    this.timer = undefined
    this.armedAt = at
    if (at === undefined || this.stopped) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.armedAt = undefined
      this.feed({ type: 'tick' })
    }, Math.max(0, at - Date.now()))
  }
}
