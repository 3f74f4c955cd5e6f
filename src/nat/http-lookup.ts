/**
 * The HTTP lookup fallback: asks "what is my IP" services (configured URLs; none by default) and
 * validates the answer. A service may answer with plain text ("203.0.113.7") or JSON ({"ip": "..."},
 * also "address", "ipAddress" or "origin"). URLs are tried in order, each with its own timeout.
 */
import { isIP } from 'node:net'
import { canonicalIp } from '../../protocols/stun/index.ts'
import { DEFAULT_HTTP_TIMEOUT_MS, MAX_HTTP_BODY_BYTES, MAX_SERVERS_PER_CHECK } from './constants.ts'
import { HttpLookupError, InvalidServerError } from './errors.ts'

/** Options for an HTTP lookup. */
export interface HttpLookupOptions {
  /** @default 5000 */
  timeoutMs?: number
  signal?: AbortSignal
  /** @default globalThis.fetch */
  fetch?: typeof fetch
}

/** A successful lookup. */
export interface HttpLookupResult {
  address: string
  family: 4 | 6
  url: string
}

/** Checks a lookup URL from the configuration; throws InvalidServerError if it is not http(s). */
export function validateLookupUrl (text: string): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new InvalidServerError(`"${text}" is not a URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidServerError(`"${text}" is not an http(s) URL`)
  return url
}

/** Why an answer is not a usable public address, or undefined if it is. */
export function addressProblem (address: string): string | undefined {
  const family = isIP(address)
  if (family === 0) return 'not an IP address'
  const canonical = canonicalIp(address) ?? address
  if (family === 4) {
    const first = Number(canonical.split('.')[0])
    if (first === 0) return 'unspecified address'
    if (first === 127) return 'loopback address'
    if (canonical.startsWith('169.254.')) return 'link-local address'
    if (first >= 224) return 'multicast or reserved address'
    return undefined
  }
  if (canonical === '::' || canonical === '::1') return 'unspecified or loopback address'
  if (/^fe[89ab]/.test(canonical)) return 'link-local address'
  if (canonical.startsWith('ff')) return 'multicast address'
  return undefined
}

/** Pulls the address out of a response body: plain text, or a JSON object with a known field. */
export function parseLookupBody (body: string): string | undefined {
  const text = body.trim()
  if (text.startsWith('{')) {
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      return undefined
    }
    if (typeof json !== 'object' || json === null) return undefined
    const record = json as Record<string, unknown>
    const value = [record.ip, record.address, record.ipAddress, record.origin].find(v => typeof v === 'string') as string | undefined
    // httpbin-style "origin" may list proxies: "client, proxy1"; the first is the caller.
    return value?.split(',')[0]?.trim()
  }
  return text.split(/\s+/)[0]
}

async function readLimited (response: Response): Promise<string> {
  const reader = response.body?.getReader()
  if (reader === undefined) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.length
    if (size > MAX_HTTP_BODY_BYTES) { await reader.cancel(); throw new Error('response too large') }
    chunks.push(value)
  }
  return new TextDecoder().decode(Buffer.concat(chunks))
}

async function lookupOne (url: string, options: HttpLookupOptions): Promise<HttpLookupResult> {
  const signals = [AbortSignal.timeout(options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS)]
  if (options.signal !== undefined) signals.push(options.signal)
  const response = await (options.fetch ?? fetch)(validateLookupUrl(url), { signal: AbortSignal.any(signals), headers: { accept: 'text/plain, application/json' } })
  if (!response.ok) { await response.body?.cancel(); throw new Error(`HTTP ${response.status}`) }
  const address = parseLookupBody(await readLimited(response))
  if (address === undefined) throw new Error('no address in response')
  const problem = addressProblem(address)
  if (problem !== undefined) throw new Error(problem)
  return { address: canonicalIp(address) ?? address, family: isIP(address) === 6 ? 6 : 4, url }
}

/** Tries each URL in order; the first valid answer wins. Throws HttpLookupError if all fail. */
export async function httpLookup (urls: readonly string[], options: HttpLookupOptions = {}): Promise<HttpLookupResult> {
  const reasons: string[] = []
  for (const url of urls.slice(0, MAX_SERVERS_PER_CHECK)) {
    options.signal?.throwIfAborted()
    try {
      return await lookupOne(url, options)
    } catch (err) {
      if (options.signal?.aborted === true) throw err
      const e = err as Error
      reasons.push(`${url}: ${e.name === 'TimeoutError' ? 'timed out' : e.message}`)
    }
  }
  throw new HttpLookupError(`no HTTP lookup succeeded (${reasons.length} tried)`, reasons)
}
