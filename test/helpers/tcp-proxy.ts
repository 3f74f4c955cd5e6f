/**
 * A TCP proxy on 127.0.0.1 in front of a server, that a test can block (refuse new connections and
 * cut open ones, as a firewall that rejects the port would) and unblock. Used to show fallback and
 * upgrade of the client library.
 */
import { createServer, connect, type Server, type Socket } from 'node:net'

/** A blockable proxy. */
export interface TcpProxy {
  /** host:port to dial instead of the target. */
  readonly address: string
  readonly port: number
  block: () => void
  unblock: () => void
  close: () => Promise<void>
}

/** Starts a proxy to `targetPort` on 127.0.0.1. */
export async function startTcpProxy (targetPort: number): Promise<TcpProxy> {
  let blocked = false
  const sockets = new Set<Socket>()
  const server: Server = createServer(client => {
    if (blocked) {
      client.destroy()
      return
    }
    const upstream = connect(targetPort, '127.0.0.1')
    sockets.add(client)
    sockets.add(upstream)
    const drop = (): void => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    address: `127.0.0.1:${port}`,
    port,
    block: () => {
      blocked = true
      for (const s of sockets) s.destroy()
      sockets.clear()
    },
    unblock: () => { blocked = false },
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>(resolve => server.close(() => { resolve() }))
    }
  }
}
