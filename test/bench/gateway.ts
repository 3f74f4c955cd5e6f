/**
 * `npm run bench -- gateway [--requests 4000] [--concurrency 32] [--size 512] [--rounds 3] [--backend memory|node] [--json]`: submit
 * throughput and latency through the gateway (gRPC unary, gRPC stream, REST), each beside a bare
 * server doing the same wire work in the same process and run: a grpc-js server that decodes the same
 * protobuf request and answers the same response message (unary and bidi), and a node:http server that
 * reads the same JSON body and answers a JSON object. With --backend memory (default) the gateway
 * runs over the in-memory backend, so the figures are the gateway's own cost (validation, SHA-256,
 * journal); with --backend node it fronts one real node with gossip (LevelDB store included).
 * Each mode gets a warm-up of 10 % of the requests, then --rounds (3) alternating bare/gateway rounds;
 * the best round of each is reported.
 *
 * Last line: { grpcUnaryRatio, grpcStreamRatio, restRatio, ...raw figures } where each ratio is
 * gateway throughput / bare throughput (target >= 0.5).
 */
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import { ChannelCredentials, Server, ServerCredentials, type ServiceError, type sendUnaryData } from '@grpc/grpc-js'
import {
  TransactionDistributionClient, TransactionDistributionService, type SubmitAck, type SubmitStreamRequest,
  type SubmitTransactionRequest, type SubmitTransactionResponse
} from '../../protos/gen/sorcha/api/v1/transaction_distribution.ts'
import { resolveConfig } from '../../src/config/index.ts'
import { Gateway } from '../../src/gateway/gateway.ts'
import { MemoryBackend } from '../../src/gateway/memory-backend.ts'
import { directContribution } from '../../src/direct/index.ts'
import { startGateway } from '../../src/gateway/index.ts'
import { gossipContribution } from '../../src/gossip/index.ts'
import { startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import { benchArgs, percentile, report } from './_util.ts'

interface Figures { requests: number, seconds: number, perSecond: number, latencyMsP50: number | null, latencyMsP99: number | null }

/** Runs `total` calls with `concurrency` in flight; latencies per call. */
async function load (total: number, concurrency: number, call: (i: number) => Promise<void>): Promise<Figures> {
  const latencies: number[] = []
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++
      const t0 = performance.now()
      await call(i)
      latencies.push(performance.now() - t0)
    }
  }))
  const seconds = (performance.now() - started) / 1000
  const round = (v: number | null): number | null => v === null ? null : Math.round(v * 1000) / 1000
  return { requests: total, seconds: round(seconds) ?? 0, perSecond: Math.round(total / seconds), latencyMsP50: round(percentile(latencies, 0.5)), latencyMsP99: round(percentile(latencies, 0.99)) }
}

/**
 * Runs the bare and the gateway variant of a mode alternately, `rounds` times, and keeps each one's
 * best round (by throughput): on a shared machine, load from elsewhere only ever slows a round down,
 * and alternating keeps both variants exposed to the same conditions.
 */
async function pair (label: string, total: number, concurrency: number, rounds: number, bare: (i: number) => Promise<void>, gateway: (i: number) => Promise<void>): Promise<[Figures, Figures]> {
  const warm = Math.max(1, Math.floor(total / 10))
  await load(warm, concurrency, async i => bare(i))
  await load(warm, concurrency, async i => gateway(i))
  let best: [Figures | undefined, Figures | undefined] = [undefined, undefined]
  for (let r = 0; r < rounds; r++) {
    const offset = (r + 1) * 2 * total // fresh payloads: the gateway never answers from its duplicate check
    const b = await load(total, concurrency, async i => bare(offset + i))
    const g = await load(total, concurrency, async i => gateway(offset + total + i))
    best = [best[0] === undefined || b.perSecond > best[0].perSecond ? b : best[0], best[1] === undefined || g.perSecond > best[1].perSecond ? g : best[1]]
  }
  const [b, g] = best as [Figures, Figures]
  for (const [name, f] of [[`bare ${label}`, b], [`gateway ${label}`, g]] as const) {
    process.stderr.write(`${name.padEnd(22)} ${String(f.perSecond).padStart(7)} req/s  p50 ${f.latencyMsP50} ms  p99 ${f.latencyMsP99} ms\n`)
  }
  return [b, g]
}

/** Unary and bidi calls over one stream, acks matched by client_ref. */
function streamCaller (client: TransactionDistributionClient): { call: (request: SubmitTransactionRequest) => Promise<void>, close: () => void } {
  const stream = client.submitStream()
  const pending = new Map<string, () => void>()
  let counter = 0
  stream.on('data', (ack: SubmitAck) => { pending.get(ack.clientRef)?.(); pending.delete(ack.clientRef) })
  stream.on('error', () => {})
  return {
    call: async request => {
      const clientRef = String(counter++)
      await new Promise<void>(resolve => { pending.set(clientRef, resolve); stream.write({ clientRef, transaction: request }) })
    },
    close: () => { stream.end() }
  }
}

const unaryCall = async (client: TransactionDistributionClient, request: SubmitTransactionRequest): Promise<void> => {
  await new Promise<void>((resolve, reject) => { client.submitTransaction(request, (err: ServiceError | null) => { if (err === null) resolve(); else reject(err) }) })
}

async function startBareGrpc (): Promise<{ port: number, stop: () => void }> {
  const server = new Server()
  const respond = (request: SubmitTransactionRequest): SubmitTransactionResponse => ({ txId: '0'.repeat(64), duplicate: false, sizeBytes: request.payload.byteLength, state: 0 })
  server.addService(TransactionDistributionService, {
    submitTransaction: (call: { request: SubmitTransactionRequest }, callback: sendUnaryData<SubmitTransactionResponse>) => { callback(null, respond(call.request)) },
    submitStream: (call: NodeJS.ReadWriteStream & { write: (a: SubmitAck) => boolean }) => {
      call.on('data', (r: SubmitStreamRequest) => { call.write({ clientRef: r.clientRef, result: respond(r.transaction!), error: undefined }) })
      call.on('end', () => { call.end() })
    }
  } as never)
  const port = await new Promise<number>((resolve, reject) => { server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => { if (e === null) resolve(p); else reject(e) }) })
  return { port, stop: () => { server.forceShutdown() } }
}

async function startBareHttp (): Promise<{ port: number, stop: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { payload: string }
      const out = JSON.stringify({ txId: '0'.repeat(64), duplicate: false, sizeBytes: Buffer.from(body.payload, 'base64').byteLength })
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) }).end(out)
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as { port: number }).port, stop: async () => { server.closeAllConnections(); await new Promise(resolve => server.close(resolve)) } }
}

function restCaller (port: number, agent: http.Agent): (body: string) => Promise<void> {
  return async body => {
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/v1/transactions', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, res => {
        res.resume()
        res.on('end', () => { if ((res.statusCode ?? 0) < 300) resolve(); else reject(new Error(`HTTP ${res.statusCode ?? 0}`)) })
      })
      req.on('error', reject)
      req.end(body)
    })
  }
}

/** Runs the benchmark. */
export default async function main (argv: string[]): Promise<void> {
  const args = benchArgs(argv, ['requests', 'concurrency', 'size', 'backend', 'rounds'])
  const rounds = Number(args.rounds ?? 3)
  const total = Number(args.requests ?? 4000)
  const concurrency = Number(args.concurrency ?? 32)
  const size = Number(args.size ?? 512)
  const prefix = randomBytes(8).toString('hex')
  const payload = (i: number): Buffer => { const b = Buffer.alloc(size, 0x61); b.write(`${prefix}:${i}:`); return b }
  const request = (i: number): SubmitTransactionRequest => ({ registerId: 'bench', payload: payload(i), contentType: '', expectedTxId: '', rejectDuplicate: false })
  const json = (i: number): string => JSON.stringify({ registerId: 'bench', payload: payload(i).toString('base64') })

  const backendKind = args.backend === 'node' ? 'node' : 'memory'
  const gatewayConfig = { grpc: { port: 0 }, rest: { port: 0 }, rateLimit: { perSecond: 0 } }
  let net: TestNetwork | undefined
  let gateway: Gateway
  if (backendKind === 'node') {
    // One real node with gossip (no peers): the gateway's cost plus the node's own (store, gossip).
    net = await startNetwork({ nodes: 1, bootstrap: 'none', contributions: [gossipContribution(), directContribution], config: { gateway: gatewayConfig } })
    gateway = await startGateway(net.nodes[0]!)
  } else {
    const config = resolveConfig({ file: { path: 'bench', data: { gateway: gatewayConfig } } })
    gateway = new Gateway({ backend: new MemoryBackend({ peerId: '12D3KooWAbCdEfGhJkLmNoPqRsTuVwXyZ123456789123456789a', maxStored: 4 * total }), config: config.gateway })
    await gateway.start()
  }
  const bareGrpc = await startBareGrpc()
  const bareHttp = await startBareHttp()
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
  const insecure = ChannelCredentials.createInsecure()
  const gwClient = new TransactionDistributionClient(gateway.grpcAddress, insecure)
  const bareClient = new TransactionDistributionClient(`127.0.0.1:${bareGrpc.port}`, insecure)
  try {
    const [bareUnary, gwUnary] = await pair('grpc unary', total, concurrency, rounds, async i => unaryCall(bareClient, request(i)), async i => unaryCall(gwClient, request(i)))
    const bareStreamCaller = streamCaller(bareClient)
    const gwStreamCaller = streamCaller(gwClient)
    const [bareStream, gwStream] = await pair('grpc stream', total, concurrency, rounds, async i => bareStreamCaller.call(request(i)), async i => gwStreamCaller.call(request(i)))
    bareStreamCaller.close()
    gwStreamCaller.close()
    const gwRestPort = Number(new URL(gateway.restUrl).port)
    const [bareRest, gwRest] = await pair('rest', total, concurrency, rounds, async i => restCaller(bareHttp.port, agent)(json(i)), async i => restCaller(gwRestPort, agent)(json(i)))
    const ratio = (a: Figures, b: Figures): number => Math.round(a.perSecond / b.perSecond * 1000) / 1000
    report({
      benchmark: 'gateway',
      backend: backendKind,
      requests: total,
      concurrency,
      rounds,
      payloadBytes: size,
      grpcUnaryRatio: ratio(gwUnary, bareUnary),
      grpcStreamRatio: ratio(gwStream, bareStream),
      restRatio: ratio(gwRest, bareRest),
      gateway: { grpcUnary: gwUnary, grpcStream: gwStream, rest: gwRest },
      bare: { grpcUnary: bareUnary, grpcStream: bareStream, http: bareRest }
    }, args.json === true)
  } finally {
    gwClient.close()
    bareClient.close()
    agent.destroy()
    bareGrpc.stop()
    await bareHttp.stop()
    await gateway.stop()
    await net?.stop()
  }
}
