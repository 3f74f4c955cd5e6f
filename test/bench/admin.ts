/**
 * `npm run bench -- admin [--calls 2000] [--peers 8] [--known 1000] [--json]`: the Admin API's
 * ListConnectedPeers latency on a real node whose peer list holds --known peers (1,000) while --peers
 * (8) real nodes are connected to it, over the real API: gRPC (the generated client) and REST
 * (node:http with keep-alive), one call at a time after a warm-up of 10 %. Also GetStats, which reads
 * the same connections plus the peer list's counts.
 *
 * GetNodeInfo, which reads no peers, is timed in the same run as the baseline of a gRPC round trip, and
 * the operation itself in process (operationP99Ms: what the node spends, without a transport).
 *
 * Last line: { operationP99Ms, operationP50Ms, listConnectedP99Ms (gRPC; target < 10 ms), listConnectedP50Ms, restP99Ms, restP50Ms,
 * statsP99Ms, nodeInfoP99Ms, nodeInfoP50Ms, listConnectedCpuMs, restCpuMs, nodeInfoCpuMs (CPU of the
 * whole process, client included, per call), knownPeers, connectedPeers, calls }.
 */
import http from 'node:http'
import { ChannelCredentials } from '@grpc/grpc-js'
import { AdminClient, type ListConnectedPeersResponse } from '../../protos/gen/sorcha/api/v1/admin.ts'
import { PeerDiscoveryClient } from '../../protos/gen/sorcha/api/v1/peer_discovery.ts'
import type { GatewayService } from '../../src/gateway/index.ts'
import { startNetwork } from '../../src/harness/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import { addHearsayPeers } from './known-peers.ts'
import { benchArgs, percentile, report, sleep } from './_util.ts'

const round3 = (v: number | null): number | null => v === null ? null : Math.round(v * 1000) / 1000

async function timeCalls (calls: number, call: () => Promise<unknown>): Promise<{ p50: number | null, p99: number | null, cpuMs: number }> {
  for (let i = 0; i < Math.max(1, Math.floor(calls / 10)); i++) await call()
  const latencies: number[] = []
  const cpu0 = process.cpuUsage()
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now()
    await call()
    latencies.push(performance.now() - t0)
  }
  const cpu = process.cpuUsage(cpu0)
  // CPU of the whole process (client and node) per call: the figure the machine's load does not inflate.
  return { p50: round3(percentile(latencies, 0.5)), p99: round3(percentile(latencies, 0.99)), cpuMs: round3((cpu.user + cpu.system) / 1000 / calls) ?? 0 }
}

/** What the admin benchmark measures, also reported by `npm run bench -- metrics`. */
export interface AdminFigures extends Record<string, number | null> {
  listConnectedP99Ms: number | null
  listConnectedP50Ms: number | null
  knownPeers: number
  connectedPeers: number
}

/** Runs the benchmark. */
export default async function admin (argv: string[]): Promise<void> {
  const args = benchArgs(argv, ['calls', 'peers', 'known'])
  report(await measureAdmin({ calls: Number(args.calls ?? 2000), peers: Number(args.peers ?? 8), known: Number(args.known ?? 1000) }), args.json === true)
}

/** Starts `peers + 1` nodes, fills node 0's peer list to `known` peers and times its Admin API. */
export async function measureAdmin ({ calls, peers, known }: { calls: number, peers: number, known: number }): Promise<AdminFigures> {
  const net = await startNetwork({
    nodes: peers + 1,
    config: { connections: { min: 1 } },
    configFor: i => i === 0 ? { gateway: { enabled: true, grpc: { port: 0 }, rest: { port: 0 }, rateLimit: { perSecond: 0 } }, peers: { maxKnown: known + peers + 100 } } : {}
  })
  const client: { grpc?: AdminClient, discovery?: PeerDiscoveryClient, agent?: http.Agent } = {}
  try {
    const node = net.nodes[0] as SorchaNode
    const gateway = (node.libp2p.services as unknown as { gateway: GatewayService }).gateway.current!
    // Known but not connected: hearsay entries, as a peer exchange would bring them.
    const list = await addHearsayPeers(node, known, net.nodes[1]!.peerId.toString())
    const deadline = Date.now() + 60_000
    while (new Set(node.libp2p.getConnections().map(c => c.remotePeer.toString())).size < peers && Date.now() < deadline) await sleep(100)
    await sleep(1000) // identify and the first streams settle

    const grpc = client.grpc = new AdminClient(gateway.grpcAddress, ChannelCredentials.createInsecure())
    const viaGrpc = async (): Promise<ListConnectedPeersResponse> => await new Promise((resolve, reject) => {
      grpc.listConnectedPeers({}, (err, res) => { if (err === null) resolve(res); else reject(err) })
    })
    const stats = async (): Promise<unknown> => await new Promise((resolve, reject) => {
      grpc.getStats({}, (err, res) => { if (err === null) resolve(res); else reject(err) })
    })
    // The baseline, in the same run: GetNodeInfo, a unary call that reads no peers.
    const discovery = client.discovery = new PeerDiscoveryClient(gateway.grpcAddress, ChannelCredentials.createInsecure())
    const nodeInfo = async (): Promise<unknown> => await new Promise((resolve, reject) => {
      discovery.getNodeInfo({}, (err, res) => { if (err === null) resolve(res); else reject(err) })
    })
    const agent = client.agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const viaRest = async (): Promise<void> => {
      await new Promise<void>((resolve, reject) => {
        http.get(`${gateway.restUrl}/v1/admin/peers`, { agent }, res => {
          res.resume()
          res.on('end', () => { if (res.statusCode === 200) resolve(); else reject(new Error(`HTTP ${res.statusCode}`)) })
        }).on('error', reject)
      })
    }
    const connectedPeers = (await viaGrpc()).peers.length
    // The operation alone, in process (no transport): what the node spends on it.
    const operation = await timeCalls(calls, async () => gateway.operations.backend.admin.listConnectedPeers())
    const g = await timeCalls(calls, viaGrpc)
    const r = await timeCalls(calls, viaRest)
    const s = await timeCalls(calls, stats)
    const b = await timeCalls(calls, nodeInfo)
    return { operationP99Ms: operation.p99, operationP50Ms: operation.p50, listConnectedP99Ms: g.p99, listConnectedP50Ms: g.p50, restP99Ms: r.p99, restP50Ms: r.p50, statsP99Ms: s.p99, nodeInfoP99Ms: b.p99, nodeInfoP50Ms: b.p50, listConnectedCpuMs: g.cpuMs, restCpuMs: r.cpuMs, nodeInfoCpuMs: b.cpuMs, knownPeers: list.size(), connectedPeers, calls }
  } finally {
    client.grpc?.close()
    client.discovery?.close()
    client.agent?.destroy()
    await net.stop()
  }
}
