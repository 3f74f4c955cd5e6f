/**
 * Starting and stopping the node's small plain-HTTP listeners (the ops probes and /metrics) the same
 * way: a failure to listen becomes the one-line StartupError naming the setting, and a stop closes
 * idle keep-alive connections too, so that none holds the node's shutdown.
 */
import { createRequire } from 'node:module'
import type * as Http from 'node:http'
import type { Server } from 'node:http'
import { listenErrorFor } from '../config/index.ts'

/**
 * Node's `node:http`, required rather than imported. An ESM import of it (`import { createServer }
 * from 'node:http'`) builds the module's namespace, which reads every export, among them
 * http.WebSocket, http.MessageEvent and http.CloseEvent: that loads Node's bundled undici (fetch,
 * WebSocket), which the node never uses: about 2.3 MiB of heap and 13 MiB of RSS in a bare process
 * (docs/benchmarks.md, "Footprint"). require() returns the module object and reads only what is used.
 * Node modules of the node take `createServer`, `STATUS_CODES` and `maxHeaderSize` from here.
 */
export const nodeHttp: typeof Http = createRequire(import.meta.url)('node:http')

/**
 * Listens on host:port.
 * @throws a StartupError (AddressInUseError...) naming `setting`
 */
export async function listenOn (server: Server, host: string, port: number, setting: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host, port }, () => { server.off('error', reject); resolve() })
  }).catch((err: unknown) => {
    throw listenErrorFor(setting, `${host.includes(':') ? `[${host}]` : host}:${port}`, err)
  })
}

/** Closes the listener and every connection, idle ones included. */
export async function closeListener (server: Server): Promise<void> {
  await new Promise<void>(resolve => {
    server.close(() => { resolve() })
    server.closeAllConnections()
  })
}
