/** Lower-case hex encoding of byte strings (tx ids travel as bytes, show as hex). */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** Bytes to lower-case hex. */
export function toHex (bytes: Uint8Array): string {
  let out = ''
  for (const byte of bytes) out += HEX[byte]
  return out
}

/** Character codes of the lower-case hex digits. */
const DIGIT_CODE = Array.from('0123456789abcdef', ch => ch.charCodeAt(0))

/**
 * True if `hex` is exactly toHex(bytes), compared in place: no string is built (tx ids are compared
 * several times per received transaction).
 */
export function hexEquals (bytes: Uint8Array, hex: string): boolean {
  if (hex.length !== bytes.length * 2) return false
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number
    if (hex.charCodeAt(i * 2) !== DIGIT_CODE[byte >> 4] || hex.charCodeAt(i * 2 + 1) !== DIGIT_CODE[byte & 15]) return false
  }
  return true
}

/** Value of each hex digit by character code; -1 for anything else. */
const DIGIT = Array.from({ length: 128 }, (_, c) => {
  const ch = String.fromCharCode(c)
  return /[0-9a-fA-F]/.test(ch) ? parseInt(ch, 16) : -1
})

/** Hex to bytes; undefined if the text is not even-length hex. (Per character code, no regex: tx ids are converted per frame.) */
export function fromHex (text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0) return undefined
  const out = new Uint8Array(text.length / 2)
  for (let i = 0; i < out.length; i++) {
    const hi = DIGIT[text.charCodeAt(i * 2)] ?? -1
    const lo = DIGIT[text.charCodeAt(i * 2 + 1)] ?? -1
    if (hi < 0 || lo < 0) return undefined
    out[i] = hi * 16 + lo
  }
  return out
}
