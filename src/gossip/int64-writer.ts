/**
 * A protobuf writer whose `uint64` takes the short way for the numbers our messages hold (times in
 * milliseconds, sizes: non-negative safe integers). @bufbuild/protobuf turns every uint64 into a
 * BigInt and reads it back through a DataView, which was 2 % of a receiver's CPU in the queue
 * benchmark (a stored record and its journal entry carry four of them). The bytes are the same
 * varint (tested against the library's writer); anything else (bigint, string, negative, unsafe)
 * takes the library's path.
 */
import { BinaryWriter } from '@bufbuild/protobuf/wire'

const TWO_32 = 4_294_967_296

/** The library's own 64-bit varint writer (private in its types), given the low and high 32 bits. */
interface Varint64Writer { writeVarint64: (lo: number, hi: number) => BinaryWriter }

/** BinaryWriter with a fast uint64 for non-negative safe integers. */
export class Int64Writer extends BinaryWriter {
  override uint64 (value: string | number | bigint): this {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return super.uint64(value)
    if (value < TWO_32) return this.uint32(value)
    ;(this as unknown as Varint64Writer).writeVarint64(value >>> 0, Math.floor(value / TWO_32))
    return this
  }
}
