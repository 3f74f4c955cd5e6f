/**
 * IP-range diversity (SPEC.md §6): which range an address belongs to (/24 for IPv4, /48 for IPv6),
 * whether an address is in an allow-listed CIDR block, and whether one more peer from a range is
 * admitted. Pure: addresses are strings, no DNS, no sockets.
 */

/** Bits of an IPv4 range and of an IPv6 range. */
export const IPV4_RANGE_BITS = 24
export const IPV6_RANGE_BITS = 48

/** The bytes of an IPv4 (4) or IPv6 (16) address; undefined if it is neither. IPv4-mapped IPv6 gives IPv4. */
export function parseIp (ip: string): Uint8Array | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) {
    const parts = ip.split('.').map(Number)
    return parts.every(p => p <= 255) ? Uint8Array.from(parts) : undefined
  }
  if (!/^[0-9a-fA-F:.]{2,45}$/.test(ip) || ip.split('::').length > 2) return undefined
  let text = ip
  let tail: number[] = []
  const dotted = /(\d{1,3}(\.\d{1,3}){3})$/.exec(text)
  if (dotted !== null) {
    const v4 = parseIp(dotted[1]!)
    if (v4 === undefined) return undefined
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!]
    text = text.slice(0, -dotted[1]!.length)
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1)
  }
  const [head = '', rest] = text.split('::')
  const words = (s: string): number[] | undefined => {
    if (s === '') return []
    const out = s.split(':').map(w => /^[0-9a-fA-F]{1,4}$/.test(w) ? parseInt(w, 16) : NaN)
    return out.some(Number.isNaN) ? undefined : out
  }
  const a = words(head)
  const b = rest === undefined ? [] : words(rest)
  if (a === undefined || b === undefined) return undefined
  const missing = 8 - a.length - b.length - tail.length
  if (rest === undefined ? missing !== 0 : missing < 1) return undefined
  const all = [...a, ...new Array<number>(rest === undefined ? 0 : missing).fill(0), ...b, ...tail]
  const bytes = new Uint8Array(16)
  all.forEach((w, i) => { bytes[2 * i] = w >> 8; bytes[2 * i + 1] = w & 0xff })
  const mapped = bytes.subarray(0, 10).every(x => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff
  return mapped ? bytes.slice(12) : bytes
}

/** True when the first `bits` bits of `a` and `b` (same length) are equal. */
function samePrefix (a: Uint8Array, b: Uint8Array, bits: number): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff
    if ((a[i]! & mask) !== (b[i]! & mask)) return false
  }
  return true
}

/** The range key of an address (`10.1.2.0/24`, `2001:db8:1::/48` style, hex), or undefined if not an IP. */
export function rangeOf (ip: string): string | undefined {
  const bytes = parseIp(ip)
  if (bytes === undefined) return undefined
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.0/${IPV4_RANGE_BITS}`
  const hex = (i: number): string => ((bytes[i]! << 8) | bytes[i + 1]!).toString(16)
  return `${hex(0)}:${hex(2)}:${hex(4)}::/${IPV6_RANGE_BITS}`
}

/** A CIDR block: network bytes and prefix length. */
export interface Cidr {
  network: Uint8Array
  bits: number
}

/** Parses `ip` with a prefix length (no prefix: the single address); undefined if invalid. */
export function cidrOf (ip: string, bits?: number): Cidr | undefined {
  const network = parseIp(ip)
  if (network === undefined) return undefined
  const max = network.length * 8
  const b = bits ?? max
  return Number.isInteger(b) && b >= 0 && b <= max ? { network, bits: b } : undefined
}

/** True when `ip` lies in one of the blocks. */
export function inAnyCidr (ip: string, blocks: readonly Cidr[]): boolean {
  const bytes = parseIp(ip)
  return bytes !== undefined && blocks.some(block => samePrefix(bytes, block.network, block.bits))
}

/**
 * Whether one more peer from a range is refused: `peersInRange` are the other peers already
 * connected from it; a peer already among them is never refused (a second connection). `max` 0: no limit.
 */
export function refusesInRange (peersInRange: number, alreadyConnected: boolean, max: number): boolean {
  return max > 0 && !alreadyConnected && peersInRange >= max
}
