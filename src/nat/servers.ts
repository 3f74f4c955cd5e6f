/** Parsing and resolving "host:port" STUN server names. */
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { canonicalIp, type Endpoint } from '../../protocols/stun/index.ts'
import { DEFAULT_STUN_PORT } from './constants.ts'
import { InvalidServerError } from './errors.ts'

/** A STUN server as configured: host (name or IP) and port. */
export interface ServerName {
  host: string
  port: number
}

/** Parses "host", "host:port", "a.b.c.d:port", "[v6]:port" or a bare IPv6 address. */
export function parseServer (text: string): ServerName {
  const trimmed = text.trim()
  let host = trimmed
  let port = DEFAULT_STUN_PORT
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed)
  if (bracket !== null) {
    host = bracket[1] as string
    if (bracket[2] !== undefined) port = Number(bracket[2])
  } else if (isIP(trimmed) !== 6) {
    const colon = trimmed.lastIndexOf(':')
    if (colon >= 0) {
      host = trimmed.slice(0, colon)
      if (!/^\d+$/.test(trimmed.slice(colon + 1))) throw new InvalidServerError(`bad port in STUN server "${text}"`)
      port = Number(trimmed.slice(colon + 1))
    }
  }
  if (host === '' || !/^[A-Za-z0-9.:_-]+$/.test(host)) throw new InvalidServerError(`bad host in STUN server "${text}"`)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidServerError(`bad port in STUN server "${text}"`)
  return { host, port }
}

/** Resolves a server name to an endpoint (the first address; IPv4 first). */
export async function resolveServer (server: ServerName): Promise<Endpoint> {
  const literal = isIP(server.host)
  if (literal !== 0) return { family: literal === 4 ? 4 : 6, address: canonicalIp(server.host) ?? server.host, port: server.port }
  const found = await lookup(server.host, { all: true, order: 'ipv4first' })
  const first = found[0]
  if (first === undefined) throw new InvalidServerError(`STUN server ${server.host} has no address`)
  return { family: first.family === 6 ? 6 : 4, address: canonicalIp(first.address) ?? first.address, port: server.port }
}
