/**
 * Chunk compression (SPEC.md §4.3): gzip (RFC 1952, node:zlib) above a size threshold, used only
 * when it saves at least 5 %; inflation is capped at the declared length, so a decompression bomb
 * fails fast instead of filling memory.
 */
import { promisify } from 'node:util'
import { constants, gunzip, gzip, type InputType, type ZlibOptions } from 'node:zlib'
import { COMPRESSION_MIN_SAVING_RATIO } from './constants.ts'
import { DecompressionError } from './errors.ts'

const gzipAsync = promisify<InputType, ZlibOptions, Buffer>(gzip)
const gunzipAsync = promisify<InputType, ZlibOptions, Buffer>(gunzip)

/** The bytes to put on the wire for `data`, and whether they are gzip. */
export async function compressChunk (data: Uint8Array, thresholdBytes: number): Promise<{ data: Uint8Array, gzip: boolean }> {
  if (thresholdBytes === 0 || data.length < thresholdBytes) return { data, gzip: false }
  // Level 6 (zlib's default) is the usual speed/ratio balance; level 1 saves little CPU on 64 KiB chunks.
  const packed = await gzipAsync(data, { level: constants.Z_DEFAULT_COMPRESSION })
  if (packed.length > data.length * COMPRESSION_MIN_SAVING_RATIO) return { data, gzip: false }
  return { data: new Uint8Array(packed.buffer, packed.byteOffset, packed.length), gzip: true }
}

/** Inflates gzip `data` that must yield exactly `expectedLength` bytes; throws DecompressionError otherwise. */
export async function inflateChunk (data: Uint8Array, expectedLength: number): Promise<Uint8Array> {
  let out: Buffer
  try {
    // maxOutputLength makes zlib stop (RangeError) as soon as the output would exceed the declared size.
    out = await gunzipAsync(data, { maxOutputLength: Math.max(1, expectedLength) })
  } catch (err) {
    const bomb = (err as Error).name === 'RangeError'
    throw new DecompressionError(bomb ? 'output exceeds the declared length' : 'not valid gzip', bomb)
  }
  if (out.length !== expectedLength) throw new DecompressionError('output is not the declared length', out.length > expectedLength)
  return new Uint8Array(out.buffer, out.byteOffset, out.length)
}
