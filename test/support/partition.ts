/**
 * The long-partition scenario on real nodes, shared by the integration test and the benchmark:
 * two halves (ring plus chords inside each), one cross link per pair (i, i + half); split them by
 * banning the other half in every node's peer list (the connection gater then refuses dials and
 * connections across) and closing the cross connections; publish on both sides; heal by lifting the
 * bans and redialling the cross links; measure until every node holds everything.
 */
import type { Rng } from '../../protocols/common/rng.ts'
import type { PeerList } from '../../src/peers/types.ts'
import { gossipOf } from '../../src/gossip/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import { connect, quiet, randomGraph, waitFor } from './gossip-net.ts'

/** What a run measured. */
export interface PartitionResult {
  txsPerSide: number
  /** Store count of each node just before the heal. */
  heldBeforeHeal: number[]
  publishMs: number
  /** From lifting the bans to every node holding every transaction. */
  healMs: number
  /** Process CPU (all nodes, one process) during the heal, seconds. */
  healCpuSeconds: number
  /** Share of the heal the one event loop was busy (1 = CPU-bound). */
  healLoopBusy: number
  /** tx:received events per node over the whole run. */
  appDeliveries: number[]
  duplicateDeliveries: number
  /** Reconciliation counters summed over the nodes. */
  reconcile: { sessionsCompleted: number, needs: number, bytesSent: number, messagesSent: number }
}

/** Options of a run. */
export interface PartitionOptions {
  txsPerSide: number
  rng: Rng
  payloadBytes?: number
  healTimeoutMs?: number
}

const peerListOf = (node: SorchaNode): PeerList => (node.libp2p.services as unknown as { peerList: PeerList }).peerList

async function split (nodes: readonly SorchaNode[], half: number): Promise<void> {
  const now = Date.now()
  await Promise.all(nodes.map(async (node, i) => {
    for (const [j, other] of nodes.entries()) {
      if ((i < half) !== (j < half)) await peerListOf(node).ban(other.peerId.toString(), { now, reason: 'test partition' })
    }
  }))
  await Promise.all(nodes.map(async (node, i) => Promise.all(nodes.filter((_, j) => (i < half) !== (j < half)).map(async other => node.libp2p.hangUp(other.peerId)))))
  const crossConnections = (): number => nodes.reduce((sum, node, i) => sum + nodes.filter((_, j) => (i < half) !== (j < half) && node.libp2p.getConnections(nodes[j]!.peerId).length > 0).length, 0)
  await waitFor(() => crossConnections() === 0, 60_000, 'the halves disconnect')
}

async function heal (nodes: readonly SorchaNode[], half: number, cross: Array<[number, number]>): Promise<void> {
  const now = Date.now()
  await Promise.all(nodes.map(async (node, i) => {
    for (const [j, other] of nodes.entries()) {
      if ((i < half) !== (j < half)) await peerListOf(node).unban(other.peerId.toString(), { now })
    }
  }))
  await connect(nodes, cross)
}

/** Runs the scenario on `nodes` (an even number, freshly started, with the peer list and gossip services). */
export async function runPartition (nodes: readonly SorchaNode[], options: PartitionOptions): Promise<PartitionResult> {
  const half = nodes.length / 2
  const { rng, txsPerSide } = options
  await quiet(nodes)
  const inside = randomGraph(half, 3, 7)
  const edges: Array<[number, number]> = [...inside, ...inside.map(([a, b]) => [a + half, b + half] as [number, number])]
  const cross = Array.from({ length: half }, (_, i) => [i, i + half] as [number, number])
  await connect(nodes, [...edges, ...cross])
  const degree = nodes.map((_, i) => [...edges, ...cross].filter(([a, b]) => a === i || b === i).length)
  await waitFor(() => nodes.every((node, i) => gossipOf(node).stats().peers === degree[i]), 60_000, 'gossip neighbours')

  const deliveries = nodes.map(() => new Map<string, number>())
  nodes.forEach((node, i) => {
    gossipOf(node).addEventListener('tx:received', e => { deliveries[i]!.set(e.detail.txId, (deliveries[i]!.get(e.detail.txId) ?? 0) + 1) })
  })

  await split(nodes, half)
  const started = Date.now()
  const sides: string[][] = [[], []]
  await Promise.all([0, 1].map(async side => {
    for (let i = 0; i < txsPerSide;) {
      const batch = []
      for (let k = 0; k < 50 && i < txsPerSide; k++, i++) {
        const payload = new Uint8Array(options.payloadBytes ?? 200).map(() => rng.int(256))
        const node = nodes[side * half + (i % half)]!
        batch.push(gossipOf(node).publish({ registerId: `register-${i % 4}`, payload }))
      }
      for (const result of await Promise.all(batch)) sides[side]!.push(result.txId)
    }
  }))
  await waitFor(() => nodes.every(node => gossipOf(node).stats().store.count >= txsPerSide), 600_000, 'each half holds its own transactions')
  const publishMs = Date.now() - started
  const heldBeforeHeal = nodes.map(node => gossipOf(node).stats().store.count)
  // Nothing crossed the split: a node of one half holds none of the other half's transactions.
  for (const [i, node] of nodes.entries()) {
    const foreign = sides[i < half ? 1 : 0]!
    for (let k = 0; k < foreign.length; k += Math.max(1, Math.floor(foreign.length / 50))) {
      if (await gossipOf(node).get(foreign[k]!) !== undefined) throw new Error(`node ${i} holds a transaction of the other half before the heal`)
    }
  }

  const healStart = Date.now()
  const cpuBefore = process.cpuUsage()
  const loopBefore = performance.eventLoopUtilization()
  await heal(nodes, half, cross)
  await waitFor(() => nodes.every(node => gossipOf(node).stats().store.count === 2 * txsPerSide), options.healTimeoutMs ?? 240_000, 'every node holds every transaction')
  const healMs = Date.now() - healStart
  const cpu = process.cpuUsage(cpuBefore)
  const healLoopBusy = Math.round(performance.eventLoopUtilization(loopBefore).utilization * 100) / 100
  await new Promise(resolve => setTimeout(resolve, 500)) // a late duplicate would show up now

  const reconcile = { sessionsCompleted: 0, needs: 0, bytesSent: 0, messagesSent: 0 }
  for (const node of nodes) {
    const stats = gossipOf(node).stats().reconcile
    reconcile.sessionsCompleted += stats?.sessionsCompleted ?? 0
    reconcile.needs += stats?.needs ?? 0
    reconcile.bytesSent += stats?.bytesSent ?? 0
    reconcile.messagesSent += stats?.messagesSent ?? 0
  }
  return {
    txsPerSide,
    heldBeforeHeal,
    publishMs,
    healMs,
    healCpuSeconds: Math.round((cpu.user + cpu.system) / 1e4) / 100,
    healLoopBusy,
    appDeliveries: deliveries.map(d => d.size),
    duplicateDeliveries: deliveries.reduce((sum, d) => sum + [...d.values()].filter(n => n > 1).length, 0),
    reconcile
  }
}
