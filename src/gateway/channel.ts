/**
 * A bounded single-consumer async queue: producers push without waiting, the consumer iterates.
 * When the consumer falls `max` items behind, the channel ends with the overflow error, so a slow
 * subscriber is cut off (and resumes from its cursor) instead of growing memory without bound.
 */

/** The consumer fell too far behind. */
export class ChannelOverflowError extends Error {
  override name = 'ChannelOverflowError'
}

/** A bounded async queue with one consumer. */
export class Channel<T> implements AsyncIterable<T> {
  private readonly items: T[] = []
  private readonly max: number
  private waiter: (() => void) | undefined
  private done = false
  private failure: Error | undefined

  /** @param max most items buffered before the channel fails with ChannelOverflowError */
  constructor (max: number) {
    this.max = max
  }

  /** Queues an item; false when the channel is closed (or just overflowed). */
  push (item: T): boolean {
    if (this.done) return false
    if (this.items.length >= this.max) {
      this.end(new ChannelOverflowError(`consumer is more than ${this.max} items behind`))
      return false
    }
    this.items.push(item)
    this.wake()
    return true
  }

  /** Ends the channel; the consumer drains what is queued, then gets `error` if given. */
  end (error?: Error): void {
    if (this.done) return
    this.done = true
    this.failure = error
    this.wake()
  }

  /** True once ended. */
  get closed (): boolean {
    return this.done
  }

  private wake (): void {
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.()
  }

  async * [Symbol.asyncIterator] (): AsyncIterator<T> {
    while (true) {
      const item = this.items.shift()
      if (item !== undefined) {
        yield item
        continue
      }
      if (this.done) {
        if (this.failure !== undefined) throw this.failure
        return
      }
      await new Promise<void>(resolve => { this.waiter = resolve })
    }
  }
}
