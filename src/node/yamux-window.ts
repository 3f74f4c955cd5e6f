/**
 * Yamux window updates at half a window, as go-yamux and rust-yamux send them.
 *
 * js-libp2p's Yamux (@libp2p/yamux 8) answers every inbound data frame with a window update frame,
 * whatever its size: one more Noise message and socket write per frame received. A node receiving a
 * flush of small transactions wrote as many window updates as it read data frames (40 % of its
 * socket writes in the queue benchmark, docs/benchmarks.md), and its peer read and decrypted each.
 * The Yamux spec leaves it to the receiver when to send them; go-yamux skips an update while less
 * than half of the window has been consumed, and rust-yamux sends one once half or more has been
 * (libp2p/rust-yamux#109). This applies the same rule to js-libp2p's streams: an established stream
 * sends a window update only once its unused receive window has fallen below half of the window.
 * Everything else is the library's own code (the first frames of a stream with their SYN/ACK flags,
 * pausing, the window's growth), which the patched method still runs whenever it sends.
 *
 * The sender is never starved: it still holds at least half a window (128 KiB at first, up to
 * 16 MiB as the window grows) when no update has been sent, and the data that uses it up brings the
 * update. Peers need nothing new: any Yamux sender must wait for credit this way already.
 *
 * The stream class is not exported by the package, so it is loaded from the module the muxer itself
 * imports (the same instance). If the library's shape ever changes, nothing is patched and
 * `halfWindowUpdates()` reports false (a unit test checks that it is applied).
 */
import { logger } from '../logging/index.ts'

/** What the patch reads of a Yamux stream (fields of the library's YamuxStream). */
interface YamuxStreamFields {
  state: number
  recvWindow: number
  recvWindowCapacity: number
  sendWindowUpdate: () => void
}

/** YamuxStream's state when its SYN/ACK exchange is done and it is not paused (StreamState.Established). */
const ESTABLISHED = 'Established'

let applied: boolean | undefined

/**
 * Applies the rule to every Yamux stream of this process (idempotent). True if it is in effect.
 */
export async function halfWindowUpdates (): Promise<boolean> {
  if (applied !== undefined) return applied
  applied = false
  try {
    const module = await import(new URL('./stream.js', import.meta.resolve('@libp2p/yamux')).href) as {
      YamuxStream?: { prototype: Partial<YamuxStreamFields> }
      StreamState?: Record<string, number>
    }
    const proto = module.YamuxStream?.prototype
    const established = module.StreamState?.[ESTABLISHED]
    const original = proto?.sendWindowUpdate
    if (proto === undefined || typeof established !== 'number' || typeof original !== 'function') throw new Error('YamuxStream.sendWindowUpdate or StreamState not found')
    proto.sendWindowUpdate = function (this: YamuxStreamFields): void {
      // Below half a window (or any other state: SYN/ACK flags, paused) the library decides.
      if (this.state === established && this.recvWindowCapacity * 2 >= this.recvWindow) return
      original.call(this)
    }
    applied = true
  } catch (err) {
    logger('sorcha:node').warn({ err }, 'could not apply Yamux half-window updates; the library sends one per data frame')
  }
  return applied
}
