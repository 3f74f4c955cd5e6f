/**
 * The userspace link emulator (a process in one node's namespace; see links.ts). For every route it
 * listens on 127.0.0.1:port, and forwards each accepted connection to the route's destination,
 * holding every chunk of data it reads for that direction's delay before writing it on:
 *
 *   delay = base (or a fresh draw of the latency model, per-message mode) + U[0, jitter)
 *           + (with probability lossRate) a retransmission: MIN_RTO_MS + the link's round trip
 *
 * Chunks leave in order (a TCP stream cannot reorder): a chunk never leaves before the one read
 * before it. A direction whose held data passes HIGH_WATER_BYTES pauses its reader.
 *
 * Usage: relay.ts <RelayConfig JSON file>. Prints "relay ready" on stdout once every port listens.
 */
import { readFileSync } from 'node:fs'
import { createServer, connect, type AddressInfo, type Socket } from 'node:net'
import { createRng, type Rng } from '../../../protocols/common/rng.ts'
import { latencySampler } from '../../network/latency.ts'
import type { LinkSpec } from '../plan.ts'
import { MIN_RTO_MS, type RelayConfig } from './links.ts'

/** Held bytes per direction above which the relay stops reading that direction. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024

/** The delay of one chunk on a link, ms. */
export function chunkDelay (link: LinkSpec, back: LinkSpec, rng: Rng, draw?: () => number): number {
  let ms = draw?.() ?? link.baseMs
  if (link.jitterMs > 0) ms += rng.next() * link.jitterMs
  if (link.lossRate > 0 && rng.next() < link.lossRate) ms += MIN_RTO_MS + link.baseMs + back.baseMs
  return ms
}

/** Forwards `from` to `to` with the link's delays: a FIFO of held chunks and one timer for its head, so order is kept. */
function pipeDelayed (from: Socket, to: Socket, link: LinkSpec, back: LinkSpec, rng: Rng): void {
  const sampler = link.perMessage === undefined ? undefined : latencySampler(link.perMessage)
  const draw = sampler === undefined ? undefined : () => sampler(rng)
  const queue: Array<{ due: number, chunk: Buffer }> = []
  let last = 0
  let held = 0
  let ended = false
  let timer: NodeJS.Timeout | undefined
  const flush = (): void => {
    timer = undefined
    const now = performance.now()
    while (queue.length > 0 && queue[0]!.due <= now + 0.5) {
      const { chunk } = queue.shift()!
      held -= chunk.length
      if (!to.destroyed) to.write(chunk)
    }
    if (held <= HIGH_WATER_BYTES && from.isPaused()) from.resume()
    if (queue.length > 0) timer = setTimeout(flush, Math.max(1, queue[0]!.due - now))
    else if (ended) to.end()
  }
  from.on('data', (chunk: Buffer) => {
    last = Math.max(last, performance.now() + chunkDelay(link, back, rng, draw))
    queue.push({ due: last, chunk })
    held += chunk.length
    if (held > HIGH_WATER_BYTES) from.pause()
    timer ??= setTimeout(flush, Math.max(0, last - performance.now()))
  })
  from.on('end', () => { ended = true; if (queue.length === 0 && timer === undefined) to.end() })
  to.on('close', () => { if (timer !== undefined) clearTimeout(timer) })
}

/** Starts the relay's listeners; resolves once all listen, with the ports bound (route port 0: any free one) and a stop function. */
export async function startRelay (config: RelayConfig): Promise<{ ports: number[], stop: () => void }> {
  const rng = createRng(config.seed)
  const servers = await Promise.all(config.routes.map(async route => {
    let connections = 0
    const server = createServer({ pauseOnConnect: true }, inbound => {
      const label = route.port * 2 * 1_000_000 + 2 * connections++
      const outbound = connect(route.targetPort, route.host)
      const kill = (): void => { inbound.destroy(); outbound.destroy() }
      inbound.on('error', kill).on('close', kill)
      outbound.on('error', kill).on('close', kill)
      outbound.on('connect', () => {
        pipeDelayed(inbound, outbound, route.up, route.down, rng.fork(label))
        pipeDelayed(outbound, inbound, route.down, route.up, rng.fork(label + 1))
        inbound.resume()
      })
    })
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(route.port, '127.0.0.1', resolve) })
    return server
  }))
  return { ports: servers.map(s => (s.address() as AddressInfo).port), stop: () => { for (const s of servers) s.close() } }
}

if (import.meta.main) {
  await startRelay(JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as RelayConfig)
  process.stdout.write('relay ready\n')
}
