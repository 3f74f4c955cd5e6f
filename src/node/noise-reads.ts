/**
 * Noise's reads without an Error per read.
 *
 * @libp2p/noise (17.0.3) splits what a socket delivers into its length-prefixed messages with
 * @libp2p/utils's LengthPrefixedDecoder, which learns that the buffer holds no further message by
 * catching the RangeError its length reader throws on fewer than two bytes. That reader makes a new
 * RangeError each time, so every read of every connection ends with an Error whose stack trace is
 * captured: about 15 µs on a 2-core EPYC at a depth of 20 frames (against 0.6 µs to throw one made
 * in advance), which is most of the cost of a small read (benchmarks.md, "Noise's reads").
 *
 * This wraps the library's encrypter and gives each secured connection's decoder the same reader,
 * throwing one RangeError made once: the decoder's behaviour is unchanged (it catches RangeError
 * and waits for more bytes). It reaches into the library's connection object, so it checks what it
 * finds and leaves anything else alone; `readerPatched` tells tests (and a library upgrade) whether
 * it still applies. The same cure for our own frames is in src/gossip/frame-decoder.ts.
 */
import type { ConnectionEncrypter, MessageStream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

// Made once: thrown for "fewer than two bytes", caught by the decoder, never shown to anyone.
const NEED_MORE = new RangeError('Could not decode int16BE')

/** The library's length reader (big-endian 16 bits), throwing the shared RangeError when short. */
export function uint16BEDecode (data: Uint8Array | Uint8ArrayList): number {
  if (data.length < 2) throw NEED_MORE
  if (data instanceof Uint8Array) return ((data[0] as number) << 8) | (data[1] as number)
  return ((data.get(0)) << 8) | data.get(1)
}
uint16BEDecode.bytes = 2

interface DecoderLike { lengthDecoder?: unknown }

/** Connections whose reader this module replaced. */
const patched = new WeakSet<object>()

/** True if `connection` (a secured connection from the wrapped encrypter) reads with the shared RangeError. */
export function readerPatched (connection: MessageStream): boolean {
  return patched.has(connection)
}

function patch (connection: MessageStream): void {
  const decoder = (connection as unknown as { decoder?: DecoderLike }).decoder
  // Only the reader this was written for: a function named uint16BEDecode.
  if (decoder === undefined || typeof decoder.lengthDecoder !== 'function' || decoder.lengthDecoder.name !== 'uint16BEDecode') return
  decoder.lengthDecoder = uint16BEDecode
  patched.add(connection)
}

/** Wraps a connection encrypter factory (noise()) so that its secured connections read as above; the encrypter is otherwise the library's own. */
export function cheapNoiseReads<C> (factory: (components: C) => ConnectionEncrypter): (components: C) => ConnectionEncrypter {
  return (components: C) => {
    const encrypter = factory(components)
    const inbound = encrypter.secureInbound.bind(encrypter)
    const outbound = encrypter.secureOutbound.bind(encrypter)
    encrypter.secureInbound = async (connection, options) => {
      const secured = await inbound(connection, options)
      patch(secured.connection)
      return secured
    }
    encrypter.secureOutbound = async (connection, options) => {
      const secured = await outbound(connection, options)
      patch(secured.connection)
      return secured
    }
    return encrypter
  }
}
