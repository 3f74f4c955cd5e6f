/**
 * CRC-32 (ISO-HDLC / IEEE 802.3, reflected polynomial 0xEDB88320), the checksum STUN's FINGERPRINT uses
 * (RFC 8489 §14.7). A table implementation kept in the core because node:zlib is off-limits here.
 */

const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/** CRC-32 of `bytes` (optionally only the first `length` bytes), as an unsigned 32-bit number. */
export function crc32 (bytes: Uint8Array, length = bytes.length): number {
  let crc = 0xffffffff
  for (let i = 0; i < length; i++) {
    crc = (TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8)
  }
  return (crc ^ 0xffffffff) >>> 0
}
