/**
 * The metrics listener: plain HTTP on `metrics.host:metrics.port` (127.0.0.1:4291 when enabled)
 * serving the node's registry as Prometheus text at GET /metrics. Separate from the operations
 * listener so that it can be exposed to a Prometheus server without exposing anything else.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { logger, type Logger } from '../logging/index.ts'
import { closeListener, listenOn, nodeHttp } from '../node/http-listener.ts'

/** The Prometheus text format's content type (version 0.0.4). */
export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/** Options of the metrics listener. */
export interface MetricsServerInit {
  host: string
  /** 0 picks a free port. */
  port: number
  /** Renders the exposition. */
  render: () => Promise<string>
}

function plain (res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers })
  res.end(`${text}\n`)
}

/** The metrics HTTP listener. start/stop idempotent. */
export class MetricsServer {
  private readonly init: MetricsServerInit
  private readonly log: Logger
  private server: Server | undefined

  constructor (init: MetricsServerInit) {
    this.init = init
    this.log = logger('sorcha:metrics')
  }

  /** Base URL, e.g. http://127.0.0.1:4291 (after start). */
  get url (): string {
    const address = this.server?.address() as AddressInfo | null | undefined
    if (address == null) return ''
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
    return `http://${host}:${address.port}`
  }

  private handle (req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]
    if (path !== '/metrics') { plain(res, 404, 'not found: the metrics are at /metrics'); return }
    if (req.method !== 'GET' && req.method !== 'HEAD') { plain(res, 405, 'method not allowed', { allow: 'GET, HEAD' }); return }
    this.init.render().then(text => {
      res.writeHead(200, { 'content-type': CONTENT_TYPE, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) })
      res.end(req.method === 'HEAD' ? undefined : text)
    }, (err: unknown) => {
      this.log.warn({ err }, 'rendering the metrics failed')
      plain(res, 500, 'rendering the metrics failed')
    })
  }

  /**
   * Listens on metrics.host:metrics.port.
   * @throws AddressInUseError (or another StartupError) naming metrics.port
   */
  async start (): Promise<void> {
    if (this.server !== undefined) return
    const { host, port } = this.init
    const server = nodeHttp.createServer((req, res) => { this.handle(req, res) })
    server.keepAliveTimeout = 5_000
    await listenOn(server, host, port, 'metrics.port')
    this.server = server
    this.log.debug({ url: this.url }, 'metrics listening (/metrics)')
  }

  /** Closes the listener and every connection. */
  async stop (): Promise<void> {
    const server = this.server
    if (server === undefined) return
    this.server = undefined
    await closeListener(server)
  }
}
