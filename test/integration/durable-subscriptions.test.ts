/**
 * Durable subscriptions on real nodes (issue 16 item 4): a subscriber that comes back with its last
 * cursor after the node restarted receives every transaction stored since then (submitted there,
 * gossiped to it while it ran, and caught up after the restart), once each, in journal order; the
 * same list comes from ListTransactions; a cursor from another node is refused.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { SorchaClient } from '../../src/client/index.ts'
import { startGateway, type Gateway } from '../../src/gateway/index.ts'
import { gossipContribution, gossipOf } from '../../src/gossip/index.ts'
import { dialAddrs, startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import { waitFor } from '../support/gossip-net.ts'

const GATEWAY = { gateway: { enabled: true, grpc: { port: 0 }, rest: { port: 0 }, rateLimit: { perSecond: 0 } }, gossip: { antiEntropyIntervalMs: 300 } }

describe('durable subscriptions across a node restart', () => {
  let net: TestNetwork
  let a: SorchaNode
  let b: SorchaNode
  let ga: Gateway
  before(async () => {
    net = await startNetwork({ nodes: 2, bootstrap: 'none', contributions: [gossipContribution()], config: GATEWAY })
    ;[a, b] = net.nodes as [SorchaNode, SorchaNode]
    await a.libp2p.dial(multiaddr(dialAddrs(b)[0]!))
    await waitFor(() => gossipOf(a).stats().peers === 1 && gossipOf(b).stats().peers === 1, 120_000, 'gossip peers')
    ga = await startGateway(a)
  })
  after(async () => {
    await ga?.stop()
    await a?.stop() // the restarted node is not in net.nodes
    await net?.stop()
  })

  const publish = async (node: SorchaNode, text: string): Promise<string> => (await gossipOf(node).publish({ registerId: 'reg', payload: new TextEncoder().encode(text) })).txId

  it('resumes from the last cursor after the restart: everything since, once each, in order', async () => {
    const client = new SorchaClient({ endpoints: { grpc: ga.grpcAddress, rest: ga.restUrl } })
    const before: Array<{ txId: string, cursor: string }> = []
    const controller = new AbortController()
    const subscribed = Promise.withResolvers<void>()
    const reading = (async () => {
      for await (const item of client.subscribe({}, { signal: controller.signal, onEstablished: () => { subscribed.resolve() } })) {
        before.push({ txId: item.transaction!.txId, cursor: item.transaction!.cursor })
        if (before.length === 3) controller.abort()
      }
    })()
    await subscribed.promise
    const seen = [await publish(a, 'a1'), await publish(a, 'a2'), await publish(b, 'b1')]
    await reading
    assert.deepEqual(new Set(before.map(e => e.txId)), new Set(seen))
    client.close()
    const last = before[2]!.cursor

    // While nobody listens: two more here, one by gossip; then the node stops; one more reaches B only.
    const missed = [await publish(a, 'a3'), await publish(b, 'b2')]
    await waitFor(async () => await gossipOf(a).get(missed[1]!) !== undefined, 120_000, 'b2 gossiped to A')
    await ga.stop()
    await a.stop()
    const whileDown = await publish(b, 'b3 while A is down')

    a = await net.createNode('node-0', GATEWAY)
    await a.start()
    await a.libp2p.dial(multiaddr(dialAddrs(b)[0]!))
    ga = await startGateway(a)
    await waitFor(async () => await gossipOf(a).get(whileDown) !== undefined, 120_000, 'caught up by anti-entropy')
    const after = await publish(a, 'a4 after the restart')
    const expected = [...missed, whileDown, after]

    const again = new SorchaClient({ endpoints: { grpc: ga.grpcAddress, rest: ga.restUrl } })
    try {
      const resumed: Array<{ txId: string, cursor: string }> = []
      const stop = new AbortController()
      for await (const item of again.subscribe({ cursor: last }, { signal: stop.signal })) {
        resumed.push({ txId: item.transaction!.txId, cursor: item.transaction!.cursor })
        if (resumed.length === expected.length) stop.abort()
      }
      assert.deepEqual(resumed.map(e => e.txId).sort(), [...expected].sort(), 'every transaction since the cursor, none twice')
      assert.equal(resumed.at(-1)?.txId, after, 'in the order stored')
      const seqs = resumed.map(e => Number(e.cursor.split('.')[1]))
      assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y))
      assert.equal(resumed[0]!.cursor.split('.')[0], last.split('.')[0], 'same journal (epoch) after the restart')

      // Polling gives the same, and from the start everything A holds.
      const listed = await again.listTransactions({ since: last })
      assert.deepEqual(listed.transactions.map(t => t.txId), resumed.map(e => e.txId))
      assert.equal(listed.nextCursor, resumed.at(-1)!.cursor)
      const all = await again.listTransactions({ limit: 1000 })
      assert.deepEqual(all.transactions.map(t => t.txId), [...before.map(e => e.txId), ...resumed.map(e => e.txId)])

      const gb = await startGateway(b)
      try {
        const other = new SorchaClient({ endpoints: { grpc: gb.grpcAddress }, maxAttempts: 1 })
        await assert.rejects(other.listTransactions({ since: last }), (err: { name: string, oldestCursor: string }) => err.name === 'UnknownCursorError' && err.oldestCursor.endsWith('.0'))
        other.close()
      } finally {
        await gb.stop()
      }
    } finally {
      again.close()
    }
  })
})
