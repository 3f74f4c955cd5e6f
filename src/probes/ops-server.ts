/**
 * The operations listener: plain HTTP on `ops.host:ops.port` (127.0.0.1:4290 by default) serving
 * orchestrators' probes. No TLS and no token, so an httpGet probe works whatever the API's TLS.
 *
 *   GET /livez  -> 200 {"status":"live"}, or 503 {"status":"stopping"} once the node stops
 *   GET /readyz -> 200 {"status":"ready","checks":{...}} or 503 {"status":"not ready","checks":{...}}
 *
 * Each check is {"ok":bool,"detail":string} (readiness.ts). Prometheus /metrics has its own listener
 * (src/metrics/server.ts, the `metrics` section), so that it can be exposed without the probes.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { logger, type Logger } from '../logging/index.ts'
import { closeListener, listenOn, nodeHttp } from '../node/http-listener.ts'
import type { ProbeSource } from './readiness.ts'

/** Options of the operations listener. */
export interface OpsServerInit {
  host: string
  /** 0 picks a free port. */
  port: number
  probes: ProbeSource
}

function send (res: ServerResponse, status: number, body: unknown, head: boolean): void {
  const text = `${JSON.stringify(body)}\n`
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) })
  res.end(head ? undefined : text)
}

/** The probe routes. */
function handle (probes: ProbeSource, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0]
  if (path !== '/livez' && path !== '/readyz') {
    send(res, 404, { status: 'not found', endpoints: ['/livez', '/readyz'] }, false)
    return
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD')
    send(res, 405, { status: 'method not allowed' }, false)
    return
  }
  const head = req.method === 'HEAD'
  if (path === '/livez') {
    const live = probes.live()
    send(res, live ? 200 : 503, { status: live ? 'live' : 'stopping' }, head)
    return
  }
  const { ready, checks } = probes.readiness()
  send(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks }, head)
}

/** The operations HTTP listener. start/stop idempotent. */
export class OpsServer {
  private readonly init: OpsServerInit
  private readonly log: Logger
  private server: Server | undefined

  constructor (init: OpsServerInit) {
    this.init = init
    this.log = logger('sorcha:probes')
  }

  /** Base URL, e.g. http://127.0.0.1:4290 (after start). */
  get url (): string {
    const address = this.server?.address() as AddressInfo | null | undefined
    if (address == null) return ''
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
    return `http://${host}:${address.port}`
  }

  /**
   * Listens on ops.host:ops.port.
   * @throws AddressInUseError (or another StartupError) naming ops.port
   */
  async start (): Promise<void> {
    if (this.server !== undefined) return
    const { host, port, probes } = this.init
    const server = nodeHttp.createServer((req, res) => { handle(probes, req, res) })
    // Probes open a connection per request; don't let idle ones hold the node's stop.
    server.keepAliveTimeout = 1_000
    await listenOn(server, host, port, 'ops.port')
    this.server = server
    this.log.debug({ url: this.url }, 'operations endpoints listening (/livez, /readyz)')
  }

  /** Closes the listener and every connection. */
  async stop (): Promise<void> {
    const server = this.server
    if (server === undefined) return
    this.server = undefined
    await closeListener(server)
  }
}
