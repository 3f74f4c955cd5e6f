/**
 * Splits a byte stream into unsigned-varint length-prefixed frames (SPEC.md §4.1), the framing of
 * /sorcha/tx-gossip/1.0.0.
 *
 * Written here rather than taken from @libp2p/utils' LengthPrefixedDecoder because that decoder
 * learns that its buffer holds no further frame by catching a RangeError thrown by the varint
 * reader, so every network read ends with a thrown and caught Error (stack trace captured): profiled
 * in the gossip benchmark, about 6 % of all CPU. This one looks before it reads, copies nothing for
 * frames that arrive whole, and joins the pieces of a split frame with a single copy.
 */
import { MAX_FRAME_BYTES } from './constants.ts'

/**
 * A length prefix announced a frame above the limit, or the prefix itself is malformed. `frames`
 * holds the frames the same decode() call completed before it, so that what a stream yields does
 * not depend on how the muxer cut it.
 */
export class FrameTooLargeError extends Error {
  override name = 'FrameTooLargeError'
  frames: Uint8Array[] = []
  constructor () {
    super(`gossip frame above ${MAX_FRAME_BYTES} bytes`)
  }
}

// MAX_FRAME_BYTES < 2^28, so a valid prefix has at most 4 bytes.
const MAX_PREFIX_BYTES = 4
/** Pieces of an incomplete frame kept as they came before they are gathered into one buffer. */
const MAX_PARTS = 32
/** Smallest gathering buffer. */
const MIN_OWN_BYTES = 4096

/** Incremental decoder: feed it the stream's chunks in order. */
export class FrameDecoder {
  private readonly maxFrameBytes: number
  /** Bytes of an incomplete frame (prefix included), waiting for the rest. */
  private parts: Uint8Array[] = []
  private partsBytes = 0
  /** Prefix + body length of the incomplete frame, once its prefix has been read. */
  private needed = 0
  /** Length of the prefix frameLength() read last. */
  private prefixBytes = 0
  /** The buffer many small pieces are gathered in (see hold()), and the bytes of it in use. */
  private own: Uint8Array | undefined
  private ownUsed = 0

  constructor (maxFrameBytes = MAX_FRAME_BYTES) {
    this.maxFrameBytes = maxFrameBytes
  }

  /** Bytes held of an incomplete frame. */
  get buffered (): number {
    return this.partsBytes
  }

  /**
   * Appends `data` and returns the frames it completes (views into the input where possible).
   * @throws FrameTooLargeError (with the frames completed before the bad prefix)
   */
  decode (data: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = []
    try {
      return this.append(data, out)
    } catch (err) {
      if (err instanceof FrameTooLargeError) err.frames = out
      throw err
    }
  }

  private append (data: Uint8Array, out: Uint8Array[]): Uint8Array[] {
    if (data.length === 0) return out
    if (this.partsBytes === 0) {
      this.split(data, out)
      return out
    }
    this.hold(data)
    if (this.needed === 0) this.needed = this.frameLength(join(this.parts, Math.min(this.partsBytes, MAX_PREFIX_BYTES)))
    if (this.needed === 0 || this.partsBytes < this.needed) return out
    const joined = join(this.parts, this.partsBytes)
    this.parts = []
    this.partsBytes = 0
    this.needed = 0
    this.own = undefined
    this.split(joined, out)
    return out
  }

  /**
   * Keeps `data` as part of the incomplete frame. At most MAX_PARTS pieces are kept as they came;
   * beyond that they are copied into one buffer that grows by doubling (at most twice the bytes
   * held), so a frame dribbled a byte at a time costs about its size in memory, not a hundred
   * times that in array objects, and the copying stays linear.
   */
  private hold (data: Uint8Array): void {
    const last = this.parts.length - 1
    const spare = this.own === undefined ? 0 : this.own.length - this.ownUsed
    if (this.own !== undefined && data.length <= spare && this.parts[last]?.buffer === this.own.buffer) {
      this.own.set(data, this.ownUsed)
      this.ownUsed += data.length
      this.parts[last] = this.own.subarray(0, this.ownUsed)
    } else if (this.parts.length >= MAX_PARTS) {
      const used = this.partsBytes + data.length
      const own = new Uint8Array(Math.max(MIN_OWN_BYTES, 2 * used))
      let at = 0
      for (const part of [...this.parts, data]) {
        own.set(part, at)
        at += part.length
      }
      this.own = own
      this.ownUsed = used
      this.parts = [own.subarray(0, used)]
    } else {
      this.parts.push(data)
    }
    this.partsBytes += data.length
  }

  /** Emits the whole frames of `data` (empty frames carry nothing and are skipped) and keeps the rest. */
  private split (data: Uint8Array, out: Uint8Array[]): void {
    let at = 0
    while (at < data.length) {
      const total = this.frameLength(at === 0 ? data : data.subarray(at, at + MAX_PREFIX_BYTES))
      if (total === 0 || at + total > data.length) {
        const rest = at === 0 ? data : data.subarray(at)
        this.parts = [rest]
        this.partsBytes = rest.length
        this.needed = total
        return
      }
      if (total > this.prefixBytes) out.push(data.subarray(at + this.prefixBytes, at + total))
      at += total
    }
  }

  /** Prefix + body length of the frame at the start of `bytes` (setting prefixBytes), or 0 if its prefix is incomplete. */
  private frameLength (bytes: Uint8Array): number {
    let value = 0
    for (let i = 0; i < MAX_PREFIX_BYTES; i++) {
      if (i >= bytes.length) return 0
      const byte = bytes[i] as number
      value += (byte & 0x7f) * 2 ** (7 * i)
      if (byte < 0x80) {
        if (value > this.maxFrameBytes) throw new FrameTooLargeError()
        this.prefixBytes = i + 1
        return i + 1 + value
      }
    }
    throw new FrameTooLargeError()
  }
}

/** The first `length` bytes of `parts`, as one array. */
function join (parts: readonly Uint8Array[], length: number): Uint8Array {
  const first = parts[0] as Uint8Array
  if (first.length >= length) return first.subarray(0, length)
  const out = new Uint8Array(length)
  let at = 0
  for (const part of parts) {
    if (at >= length) break
    const take = Math.min(part.length, length - at)
    out.set(take === part.length ? part : part.subarray(0, take), at)
    at += take
  }
  return out
}

/** The unsigned-varint length prefix of a frame of `length` bytes. */
export function framePrefix (length: number): Uint8Array {
  const bytes: number[] = []
  let value = length
  while (value >= 0x80) {
    bytes.push((value % 0x80) | 0x80)
    value = Math.floor(value / 0x80)
  }
  bytes.push(value)
  return Uint8Array.from(bytes)
}

/** Length-prefixes `frames` into one contiguous buffer (one write on the stream). */
export function encodeFrames (frames: readonly Uint8Array[]): Uint8Array {
  let total = 0
  const prefixes = frames.map(frame => {
    const prefix = framePrefix(frame.length)
    total += prefix.length + frame.length
    return prefix
  })
  const out = new Uint8Array(total)
  let at = 0
  frames.forEach((frame, i) => {
    const prefix = prefixes[i] as Uint8Array
    out.set(prefix, at)
    out.set(frame, at + prefix.length)
    at += prefix.length + frame.length
  })
  return out
}
