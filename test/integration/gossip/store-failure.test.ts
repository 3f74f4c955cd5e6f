/**
 * Regression (issue 16): a received transaction reaches the application only after the store wrote
 * it. A failed write delivers nothing and leaves nothing behind, so the transaction can arrive again.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { gossipOf, topicOf, txGossip, type GossipsubDistributor } from '../../../src/gossip/index.ts'
import { startNetwork, type TestNetwork } from '../../../src/harness/index.ts'
import type { ServiceContribution, SorchaNode } from '../../../src/node/sorcha-node.ts'
import type { Storage, Sublevel } from '../../../src/storage/index.ts'
import { chain, connect, quiet, waitFor } from '../../support/gossip-net.ts'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

/** A switch that makes a node's transaction-store batches fail (a full or broken disk). */
interface Disk { failing: boolean, failures: number }

function failingBatches (db: Sublevel, disk: Disk): Sublevel {
  return new Proxy(db, {
    get (target, prop, receiver) {
      if (prop === 'batch') {
        return async (...args: unknown[]) => {
          if (disk.failing) { disk.failures++; throw new Error('disk full') }
          return (target.batch as (...a: unknown[]) => Promise<void>).apply(target, args)
        }
      }
      const value = Reflect.get(target, prop, receiver) as unknown
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    }
  })
}

/** The gossip service over a storage whose "tx" sublevel fails on demand; one Disk per node. */
function flakyGossip (disks: Map<string, Disk>): ServiceContribution {
  return ({ config, storage, peerId }) => {
    const disk: Disk = { failing: false, failures: 0 }
    disks.set(peerId.toString(), disk)
    const wrapped: Storage = {
      get path () { return storage.path },
      get isOpen () { return storage.isOpen },
      open: async () => { await storage.open() },
      close: async () => { await storage.close() },
      sublevel: name => name === 'tx' ? failingBatches(storage.sublevel(name), disk) : storage.sublevel(name)
    }
    return { gossip: txGossip({ config: config.gossip, storage: wrapped, peerId: peerId.toString() }) } as unknown as ReturnType<ServiceContribution>
  }
}

function received (node: SorchaNode): Map<string, number> {
  const seen = new Map<string, number>()
  gossipOf(node).addEventListener('tx:received', e => { seen.set(e.detail.txId, (seen.get(e.detail.txId) ?? 0) + 1) })
  return seen
}

async function journalIds (node: SorchaNode): Promise<string[]> {
  return (await gossipOf(node).journal.read(0, 1000)).records.map(r => r.id)
}

describe('a received transaction is delivered only after the store wrote it', () => {
  const nets: TestNetwork[] = []
  after(async () => { await Promise.all(nets.map(async net => net.stop())) })

  it('sorcha: a failed write delivers nothing, and the transaction is fetched again once the disk works', async () => {
    const disks = new Map<string, Disk>()
    const net = await startNetwork({
      nodes: 2,
      bootstrap: 'none',
      // Short fetch deadline and anti-entropy period, so the abandoned fetch is retried soon.
      config: { gossip: { requestTimeoutMs: 300, antiEntropyIntervalMs: 300 } },
      contributions: [flakyGossip(disks)]
    })
    nets.push(net)
    const [a, b] = net.nodes as [SorchaNode, SorchaNode]
    await quiet(net.nodes)
    await connect(net.nodes, chain(2))
    await waitFor(() => gossipOf(a).stats().peers === 1 && gossipOf(b).stats().peers === 1)
    const seen = received(b)
    const disk = disks.get(b.peerId.toString())!
    disk.failing = true
    const lost = await gossipOf(a).publish({ registerId: 'reg-a', payload: text('written while the disk fails') })
    await waitFor(() => disk.failures >= 1, 30_000, 'a failed write on B')
    assert.equal(seen.has(lost.txId), false, 'not delivered')
    assert.equal(await gossipOf(b).get(lost.txId), undefined, 'not held')
    assert.deepEqual(await journalIds(b), [])
    disk.failing = false
    await waitFor(() => seen.get(lost.txId) === 1, 30_000, 'delivered after the disk recovered')
    const next = await gossipOf(a).publish({ registerId: 'reg-a', payload: text('after recovery') })
    await waitFor(() => seen.get(next.txId) === 1, 30_000, 'the next transaction')
    assert.equal(seen.get(lost.txId), 1, 'exactly once')
    assert.ok(await gossipOf(b).get(lost.txId))
    assert.deepEqual(await journalIds(b), [lost.txId, next.txId])
  })

  it('gossipsub: a failed write delivers and forwards nothing; later transactions flow', async () => {
    const disks = new Map<string, Disk>()
    const net = await startNetwork({
      nodes: 3,
      bootstrap: 'none',
      config: { gossip: { strategy: 'gossipsub', registers: ['reg-a'], gossipsub: { ipColocationWhitelist: ['127.0.0.1'], heartbeatIntervalMs: 200 } } },
      contributions: [flakyGossip(disks)]
    })
    nets.push(net)
    const [a, b, c] = net.nodes as [SorchaNode, SorchaNode, SorchaNode]
    await quiet(net.nodes)
    await connect(net.nodes, chain(3))
    const mesh = (node: SorchaNode): string[] => ((gossipOf(node) as GossipsubDistributor).pubsub as unknown as { getMeshPeers: (t: string) => string[] }).getMeshPeers(topicOf('reg-a'))
    await waitFor(() => mesh(a).length === 1 && mesh(b).length === 2 && mesh(c).length === 1, 60_000, 'gossipsub mesh')
    const seenB = received(b)
    const seenC = received(c)
    const probe = await gossipOf(a).publish({ registerId: 'reg-a', payload: text('mesh ready?') })
    await waitFor(() => seenC.has(probe.txId), 60_000, 'a -> b -> c')
    const disk = disks.get(b.peerId.toString())!
    disk.failing = true
    const lost = await gossipOf(a).publish({ registerId: 'reg-a', payload: text('written while the disk fails') })
    await waitFor(() => disk.failures >= 1, 30_000, 'a failed write on B')
    disk.failing = false
    const next = await gossipOf(a).publish({ registerId: 'reg-a', payload: text('after recovery') })
    await waitFor(() => seenC.has(next.txId) && seenB.has(next.txId), 30_000, 'the next transaction')
    assert.equal(seenB.has(lost.txId), false, 'not delivered on B')
    assert.equal(await gossipOf(b).get(lost.txId), undefined, 'not held on B')
    assert.equal(seenC.has(lost.txId), false, 'B did not forward what it could not store')
    assert.deepEqual(await journalIds(b), [probe.txId, next.txId])
  })
})
