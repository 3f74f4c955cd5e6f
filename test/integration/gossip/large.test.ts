import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, describe, it } from 'node:test'
import { gossipContribution, gossipOf, type TxProgress } from '../../../src/gossip/index.ts'
import { startNetwork, type TestNetwork } from '../../../src/harness/index.ts'
import { chain, connect, quiet, waitFor } from '../../support/gossip-net.ts'

const MB = 1024 * 1024

describe('large transactions', () => {
  const nets: TestNetwork[] = []
  after(async () => { await Promise.all(nets.map(async net => net.stop())) })

  it('streams a 50 MB transaction intact across a 5-hop chain, with progress events', async () => {
    const net = await startNetwork({ nodes: 6, bootstrap: 'none', contributions: [gossipContribution()] })
    nets.push(net)
    await quiet(net.nodes)
    await connect(net.nodes, chain(6))
    await waitFor(() => net.nodes.every((node, i) => gossipOf(node).stats().peers === (i === 0 || i === 5 ? 1 : 2)))
    const last = gossipOf(net.nodes[5]!)
    const progress: TxProgress[] = []
    last.addEventListener('tx:progress', e => { progress.push(e.detail) })
    // Half compressible, half random: both chunk paths are exercised.
    const payload = Buffer.concat([Buffer.alloc(25 * MB, 'sorcha '), randomBytes(25 * MB)])
    const result = await gossipOf(net.nodes[0]!).publish({ registerId: 'big', payload })
    await waitFor(async () => (await last.get(result.txId)) !== undefined, 240_000, '50 MB at the end of the chain')
    const received = await last.get(result.txId)
    assert.equal(received!.payload.length, payload.length)
    assert.ok(Buffer.from(received!.payload).equals(payload))
    assert.equal(received!.notification.hopCount, 5)
    assert.equal(progress.length, Math.ceil(payload.length / (64 * 1024)))
    assert.deepEqual(progress.at(-1), { txId: result.txId, from: net.nodes[4]!.peerId.toString(), receivedBytes: payload.length, totalBytes: payload.length })
    assert.ok(progress.every((p, i) => i === 0 || p.receivedBytes > progress[i - 1]!.receivedBytes))
  })

  it('resumes a fetch from another peer that announced it when the first one goes away', async () => {
    const net = await startNetwork({ nodes: 4, bootstrap: 'none', config: { gossip: { chunkSizeBytes: 16 * 1024, requestTimeoutMs: 2000 } }, contributions: [gossipContribution()] })
    nets.push(net)
    const [publisher, a, b, c] = net.nodes as [typeof net.nodes[0] & object, typeof net.nodes[0] & object, typeof net.nodes[0] & object, typeof net.nodes[0] & object]
    await quiet(net.nodes)
    await connect(net.nodes, [[0, 1], [0, 2]])
    const payload = randomBytes(16 * MB)
    const result = await gossipOf(publisher).publish({ registerId: 'big', payload })
    await waitFor(async () => (await gossipOf(a).get(result.txId)) !== undefined && (await gossipOf(b).get(result.txId)) !== undefined, 120_000, 'a and b hold it')
    const progress: TxProgress[] = []
    let stopped: string | undefined
    gossipOf(c).addEventListener('tx:progress', e => {
      progress.push(e.detail)
      if (stopped === undefined && e.detail.receivedBytes >= 4 * MB) {
        stopped = e.detail.from
        void (stopped === a.peerId.toString() ? a : b).stop()
      }
    })
    // c joins: anti-entropy on connect makes both a and b announce it.
    await connect(net.nodes, [[3, 1], [3, 2]])
    await waitFor(async () => (await gossipOf(c).get(result.txId)) !== undefined, 120_000, 'c holds it')
    assert.ok(Buffer.from((await gossipOf(c).get(result.txId))!.payload).equals(payload))
    const switchAt = progress.findIndex(p => p.from !== stopped)
    assert.ok(stopped !== undefined && switchAt > 0, 'the fetch moved to the other peer')
    // Resumed: the first chunk from the second peer continues where the first one stopped.
    assert.equal(progress[switchAt]!.receivedBytes, progress[switchAt - 1]!.receivedBytes + 16 * 1024)
    assert.ok(progress[switchAt]!.receivedBytes > 4 * MB)
  })
})
