/**
 * The direct messages of one app stream (ReceiveMessages, a Session, an SSE stream), bounded. Each
 * offered message settles true once the stream took it (the consumer came back for the next one,
 * which the servers do only after writing the previous), false if the stream ended before that or
 * the inbox was full. A direct message is acknowledged to its sender only when some app took it.
 */
import { FailedPreconditionError } from './errors.ts'

/** A direct message that reached the peer but no app there: FAILED_PRECONDITION no_listener. */
export function noListener (peerId: string, topic: string): FailedPreconditionError {
  return new FailedPreconditionError('no_listener', `no app on peer ${peerId} is receiving direct messages on topic ${topic}; the message was not delivered`)
}

interface Offer<T> {
  item: T
  settle: (taken: boolean) => void
}

/** A bounded queue of messages for one consumer, with per-message delivery outcomes. */
export class Inbox<T> implements AsyncIterable<T> {
  private readonly queue: Array<Offer<T>> = []
  private readonly max: number
  private waiter: (() => void) | undefined
  private closed = false

  /** @param max messages queued at most; further offers resolve false until it drains */
  constructor (max: number) {
    this.max = max
  }

  /** Queues a message; resolves true once the consumer took it. */
  async offer (item: T): Promise<boolean> {
    if (this.closed || this.queue.length >= this.max) return false
    return await new Promise<boolean>(resolve => {
      this.queue.push({ item, settle: resolve })
      this.wake()
    })
  }

  /** Ends the stream; queued messages settle false. */
  close (): void {
    this.closed = true
    this.wake()
  }

  private wake (): void {
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.()
  }

  async * [Symbol.asyncIterator] (): AsyncIterator<T> {
    let current: Offer<T> | undefined
    try {
      while (true) {
        current = this.queue.shift()
        if (current === undefined) {
          if (this.closed) return
          await new Promise<void>(resolve => { this.waiter = resolve })
          continue
        }
        yield current.item
        current.settle(true)
        current = undefined
      }
    } finally {
      this.closed = true
      current?.settle(false)
      for (const left of this.queue.splice(0)) left.settle(false)
    }
  }
}
