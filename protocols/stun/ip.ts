/**
 * IP address text <-> bytes, pure (the cores cannot use node:net). IPv6 text is written in the RFC 5952
 * canonical form (lower case, longest run of zero groups compressed) so addresses compare as strings.
 */

/** A transport address: IP family, address text and port. */
export interface Endpoint {
  family: 4 | 6
  address: string
  port: number
}

/** Parses dotted-quad IPv4 text into 4 bytes; undefined if malformed. */
export function parseIpv4 (text: string): Uint8Array | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  const out = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined
    const value = Number(part)
    if (value > 255) return undefined
    out[i] = value
  }
  return out
}

function parseGroups (text: string): number[] | undefined {
  if (text === '') return []
  const groups: number[] = []
  for (const group of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined
    groups.push(parseInt(group, 16))
  }
  return groups
}

/** Parses IPv6 text (with optional :: and an embedded dotted-quad tail) into 16 bytes; undefined if malformed. */
export function parseIpv6 (text: string): Uint8Array | undefined {
  let body = text
  const tail: number[] = []
  const lastColon = body.lastIndexOf(':')
  if (body.includes('.') && lastColon >= 0) {
    const v4 = parseIpv4(body.slice(lastColon + 1))
    if (v4 === undefined) return undefined
    tail.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number))
    body = body.slice(0, lastColon + 1) + '0'
  }
  const halves = body.split('::')
  if (halves.length > 2) return undefined
  const head = parseGroups(halves[0] as string)
  const rest = halves.length === 2 ? parseGroups(halves[1] as string) : []
  if (head === undefined || rest === undefined) return undefined
  if (tail.length > 0) (rest.length > 0 ? rest : head).pop()
  const explicit = head.length + rest.length + tail.length
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return undefined
  const groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...rest, ...tail]
  const out = new Uint8Array(16)
  groups.forEach((g, i) => { out[2 * i] = g >> 8; out[2 * i + 1] = g & 0xff })
  return out
}

/** Parses IPv4 or IPv6 text into bytes, with its family; undefined if it is neither. */
export function parseIp (text: string): { family: 4 | 6, bytes: Uint8Array } | undefined {
  const v4 = parseIpv4(text)
  if (v4 !== undefined) return { family: 4, bytes: v4 }
  const v6 = parseIpv6(text)
  return v6 === undefined ? undefined : { family: 6, bytes: v6 }
}

/** Formats 4 or 16 address bytes as text (IPv6 in RFC 5952 canonical form). */
export function formatIp (bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.')
  const groups: number[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number))
  // RFC 5952 §4.2: compress the longest run of two or more zero groups (the first, on a tie).
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) { bestStart = i; bestLength = j - i }
    i = j
  }
  const hex = groups.map(g => g.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}

/** Canonical text of an IP address (so '::FFFF:0:1' and '::ffff:0.0.0.1' compare equal); undefined if malformed. */
export function canonicalIp (text: string): string | undefined {
  const parsed = parseIp(text)
  return parsed === undefined ? undefined : formatIp(parsed.bytes)
}

/** "a.b.c.d:port" or "[v6]:port". */
export function formatEndpoint (endpoint: Endpoint): string {
  return endpoint.family === 6 ? `[${endpoint.address}]:${endpoint.port}` : `${endpoint.address}:${endpoint.port}`
}

/** True when both endpoints name the same address and port. */
export function sameEndpoint (a: Endpoint | undefined, b: Endpoint | undefined): boolean {
  return a !== undefined && b !== undefined && a.port === b.port && canonicalIp(a.address) === canonicalIp(b.address)
}
