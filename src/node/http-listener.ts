/**
 * Starting and stopping the node's small plain-HTTP listeners (the ops probes and /metrics) the same
 * way: a failure to listen becomes the one-line StartupError naming the setting, and a stop closes
 * idle keep-alive connections too, so that none holds the node's shutdown.
 */
import type { Server } from 'node:http'
import { listenErrorFor } from '../config/index.ts'

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
