/**
 * What a multi-node scenario or benchmark does to one real node, as asynchronous operations with
 * plain (structured-cloneable) arguments and results, so that the same scenario drives a node on
 * this thread (`LocalNode`) or one in a worker thread of its own (test/support/worker-node.ts, which
 * runs a `LocalNode` there and forwards these calls as messages).
 */
import { multiaddr } from '@multiformats/multiaddr'
import type { StreamCloseEvent } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { gossipOf } from '../../src/gossip/index.ts'
import type { DistributorStats, PublishInput } from '../../src/gossip/distributor.ts'
import { dialAddrs } from '../../src/harness/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import type { PeerList } from '../../src/peers/types.ts'

/** Reconciliation counters of a node (summed over nodes by the scenarios). */
export interface ReconcileCounters { sessionsCompleted: number, needs: number, bytesSent: number, messagesSent: number }

/** Distinct transactions handed to the node's application ('tx:received'), and how many came more than once. */
export interface Deliveries { distinct: number, duplicates: number }

/**
 * What went wrong on a node since it started: connections closed (by either end), how they closed
 * ('local' or 'remote', and the error if any), and rejected peer messages by code.
 */
export interface Incidents { connectionsClosed: number, closes: Record<string, number>, rejects: Record<string, number> }

/** The operations; every one is asynchronous (a worker answers by message). */
export interface NodeOps {
  /** The node's peer id and first dialable address (with /p2p/). */
  readonly peerId: string
  readonly address: string
  /** Dials `address` (a multiaddr string with /p2p/). */
  dial: (address: string) => Promise<void>
  /** Bans the peers in the node's peer list (the connection gater then refuses them both ways) and hangs up on them. */
  ban: (peerIds: string[], reason: string) => Promise<void>
  /** Lifts the bans. */
  unban: (peerIds: string[]) => Promise<void>
  /** How many of `peerIds` the node has an open connection to. */
  connectedTo: (peerIds: string[]) => Promise<number>
  /** Gossip neighbours. */
  gossipPeers: () => Promise<number>
  /** Transactions in the store. */
  storeCount: () => Promise<number>
  /** Publishes the transactions (at once) and returns their ids. */
  publish: (items: PublishInput[]) => Promise<string[]>
  /** How many of `txIds` the store holds. */
  holdsCount: (txIds: string[]) => Promise<number>
  /** Resolves once the store holds at least `count` transactions, checking every `everyMs`; the wall-clock time it first did (unix ms, fractional). Rejects after `timeoutMs`. */
  whenHolds: (count: number, everyMs?: number, timeoutMs?: number) => Promise<number>
  deliveries: () => Promise<Deliveries>
  reconcileCounters: () => Promise<ReconcileCounters>
  /** The gossip service's statistics (for progress reports). */
  gossipStats: () => Promise<DistributorStats>
  incidents: () => Promise<Incidents>
}

/** The wall clock in ms with sub-ms resolution, comparable across the threads of a process. */
export const wallMs = (): number => performance.timeOrigin + performance.now()

const peerListOf = (node: SorchaNode): PeerList => (node.libp2p.services as unknown as { peerList: PeerList }).peerList

/** The operations on a node of this thread; counts its app deliveries from construction on. */
export class LocalNode implements NodeOps {
  readonly node: SorchaNode
  readonly peerId: string
  readonly address: string
  private readonly delivered = new Map<string, number>()
  private readonly seen: Incidents = { connectionsClosed: 0, closes: {}, rejects: {} }

  constructor (node: SorchaNode) {
    this.node = node
    this.peerId = node.peerId.toString()
    this.address = dialAddrs(node)[0] as string
    gossipOf(node).addEventListener('tx:received', e => { this.delivered.set(e.detail.txId, (this.delivered.get(e.detail.txId) ?? 0) + 1) })
    gossipOf(node).addEventListener('gossip:verdict', e => {
      if (e.detail.verdict === 'reject') this.seen.rejects[e.detail.code] = (this.seen.rejects[e.detail.code] ?? 0) + 1
    })
    node.libp2p.addEventListener('connection:open', e => {
      e.detail.addEventListener('close', (event: StreamCloseEvent) => {
        const how = `${event.local === true ? 'local' : 'remote'}${event.error === undefined ? '' : `: ${event.error.name}: ${event.error.message}`}`
        this.seen.closes[how] = (this.seen.closes[how] ?? 0) + 1
      }, { once: true })
    })
    node.libp2p.addEventListener('connection:close', () => { this.seen.connectionsClosed++ })
  }

  async dial (address: string): Promise<void> {
    await this.node.libp2p.dial(multiaddr(address))
  }

  async ban (peerIds: string[], reason: string): Promise<void> {
    const now = Date.now()
    for (const id of peerIds) await peerListOf(this.node).ban(id, { now, reason })
    await Promise.all(peerIds.map(async id => this.node.libp2p.hangUp(peerIdFromString(id))))
  }

  async unban (peerIds: string[]): Promise<void> {
    const now = Date.now()
    for (const id of peerIds) await peerListOf(this.node).unban(id, { now })
  }

  async connectedTo (peerIds: string[]): Promise<number> {
    return peerIds.filter(id => this.node.libp2p.getConnections(peerIdFromString(id)).length > 0).length
  }

  async gossipPeers (): Promise<number> {
    return gossipOf(this.node).stats().peers
  }

  async storeCount (): Promise<number> {
    return gossipOf(this.node).stats().store.count
  }

  async publish (items: PublishInput[]): Promise<string[]> {
    const gossip = gossipOf(this.node)
    return (await Promise.all(items.map(async item => gossip.publish(item)))).map(result => result.txId)
  }

  async holdsCount (txIds: string[]): Promise<number> {
    const gossip = gossipOf(this.node)
    let held = 0
    for (const id of txIds) if (await gossip.get(id) !== undefined) held++
    return held
  }

  async whenHolds (count: number, everyMs = 5, timeoutMs = 600_000): Promise<number> {
    const gossip = gossipOf(this.node)
    const deadline = Date.now() + timeoutMs
    for (let held = gossip.stats().store.count; held < count; held = gossip.stats().store.count) {
      if (Date.now() > deadline) throw new Error(`the store holds ${held} of ${count} transactions after ${timeoutMs} ms`)
      await new Promise(resolve => setTimeout(resolve, everyMs))
    }
    return wallMs()
  }

  async deliveries (): Promise<Deliveries> {
    return { distinct: this.delivered.size, duplicates: [...this.delivered.values()].filter(n => n > 1).length }
  }

  async reconcileCounters (): Promise<ReconcileCounters> {
    const stats = gossipOf(this.node).stats().reconcile
    return { sessionsCompleted: stats?.sessionsCompleted ?? 0, needs: stats?.needs ?? 0, bytesSent: stats?.bytesSent ?? 0, messagesSent: stats?.messagesSent ?? 0 }
  }

  async gossipStats (): Promise<DistributorStats> {
    return gossipOf(this.node).stats()
  }

  async incidents (): Promise<Incidents> {
    return structuredClone(this.seen)
  }
}
