/**
 * Transactions through the gateway on real nodes with gossip: submitted to node A, received on node
 * B's subscription, by a gRPC client built from the .proto files at run time, by REST + SSE, by a
 * chunked upload, and by the client library while A's gRPC port is blocked.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { SorchaClient } from '../../src/client/index.ts'
import { directContribution } from '../../src/direct/index.ts'
import { startGateway, type Gateway } from '../../src/gateway/index.ts'
import { txIdOf } from '../../src/gateway/validate.ts'
import { gossipContribution, gossipOf } from '../../src/gossip/index.ts'
import { dialAddrs, startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import { peerHealthContribution } from '../../src/health/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import { readSse, runtimeClients, unary, until } from '../helpers/api-clients.ts'
import { startTcpProxy } from '../helpers/tcp-proxy.ts'

describe('transactions through the gateway, node A -> node B', () => {
  let net: TestNetwork
  let a: SorchaNode
  let b: SorchaNode
  let ga: Gateway
  let gb: Gateway
  before(async () => {
    net = await startNetwork({
      nodes: 2,
      bootstrap: 'none',
      contributions: [peerHealthContribution(), gossipContribution(), directContribution],
      config: { gateway: { enabled: true, grpc: { port: 0 }, rest: { port: 0 }, rateLimit: { perSecond: 0 } } }
    })
    ;[a, b] = net.nodes as [SorchaNode, SorchaNode]
    await a.libp2p.dial(multiaddr(dialAddrs(b)[0]!))
    await until(() => gossipOf(a).stats().peers === 1 && gossipOf(b).stats().peers === 1)
    ga = await startGateway(a)
    gb = await startGateway(b)
  })
  after(async () => {
    await Promise.all([ga?.stop(), gb?.stop()])
    await net?.stop()
  })

  it('a runtime-built gRPC client submits to A and receives the transaction on B\'s subscription', async () => {
    const apiA = runtimeClients(ga.grpcAddress)
    const apiB = runtimeClients(gb.grpcAddress)
    try {
      const events: Array<{ transaction?: { txId: string, registerId: string, sender: string, hopCount: number, payload: Buffer, payloadIncluded: boolean } }> = []
      const subscription = apiB.transactions.subscribe({ registerIds: ['reg-grpc'], includePayload: true })
      subscription.on('data', (e: typeof events[number]) => { events.push(e) })
      subscription.on('error', () => {})
      await new Promise(resolve => setTimeout(resolve, 200))
      const payload = Buffer.from(JSON.stringify({ hello: 'from A over gRPC' }))
      const [err, result] = await unary(apiA.transactions, 'submitTransaction', { registerId: 'reg-grpc', payload, contentType: 'application/json' })
      assert.equal(err, null)
      assert.equal(result?.txId, txIdOf(payload))
      await until(() => events.some(e => e.transaction?.txId === txIdOf(payload)))
      subscription.cancel()
      const event = events.find(e => e.transaction?.txId === txIdOf(payload))!.transaction!
      assert.equal(event.sender, a.peerId.toString())
      assert.equal(event.hopCount, 1)
      assert.ok(event.payloadIncluded)
      assert.deepEqual(event.payload, payload)
      const parts: Array<{ header?: { sizeBytes: number }, chunk?: { data: Buffer } }> = []
      for await (const part of apiB.transactions.getTransaction({ txId: txIdOf(payload) })) parts.push(part)
      assert.equal(parts[0]?.header?.sizeBytes, payload.length)
      assert.deepEqual(Buffer.concat(parts.slice(1).map(p => p.chunk!.data)), payload)
    } finally {
      apiA.close()
      apiB.close()
    }
  })

  it('the same through REST and Server-Sent Events', async () => {
    const stream = await fetch(`${gb.restUrl}/v1/transactions/stream?registerId=reg-rest`)
    const reading = readSse(stream.body!, e => e.length >= 1)
    await new Promise(resolve => setTimeout(resolve, 200))
    const payload = Buffer.from('from A over REST')
    const submitted = await fetch(`${ga.restUrl}/v1/transactions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ registerId: 'reg-rest', payload: payload.toString('base64'), contentType: 'text/plain' }) })
    assert.equal(submitted.status, 201)
    const [event] = await reading
    const tx = JSON.parse(event!.data) as { txId: string, sender: string, contentType: string }
    assert.equal(tx.txId, txIdOf(payload))
    assert.equal(tx.sender, a.peerId.toString())
    assert.equal(event!.id !== undefined && event!.id.length > 0, true)
    const raw = await fetch(`${gb.restUrl}/v1/transactions/${tx.txId}/payload`)
    assert.equal(raw.headers.get('content-type'), 'text/plain')
    assert.equal(await raw.text(), 'from A over REST')
  })

  it('a large transaction uploaded in chunks to A arrives whole on B', async () => {
    const payload = Buffer.alloc(3 * 1024 * 1024)
    for (let i = 0; i < payload.length; i += 4) payload.writeUInt32LE(i * 2654435761 >>> 0, i)
    const apiA = runtimeClients(ga.grpcAddress)
    const client = new SorchaClient({ endpoints: { grpc: gb.grpcAddress }, transports: ['grpc-unary'] })
    try {
      const controller = new AbortController()
      const seen: string[] = []
      const watching = (async () => { for await (const e of client.subscribe({ registerIds: ['reg-big'] }, { signal: controller.signal })) if (e.transaction !== undefined) seen.push(e.transaction.txId) })()
      await new Promise(resolve => setTimeout(resolve, 700))
      const result = await new Promise<{ txId: string }>((resolve, reject) => {
        const call = apiA.transactions.uploadTransaction((err: Error | null, res: { txId: string }) => { if (err === null) resolve(res); else reject(err) })
        call.write({ header: { registerId: 'reg-big', sizeBytes: payload.length } })
        for (let off = 0; off < payload.length; off += 256 * 1024) call.write({ chunk: payload.subarray(off, off + 256 * 1024) })
        call.end()
      })
      assert.equal(result.txId, txIdOf(payload))
      await until(() => seen.includes(result.txId))
      controller.abort()
      await watching
      const fetched = await client.getTransaction(result.txId)
      assert.equal(fetched.header.totalChunks, 48)
      assert.ok(Buffer.from(fetched.payload).equals(payload))
    } finally {
      apiA.close()
      client.close()
    }
  })

  it('the client library submits over REST while A\'s gRPC port is blocked, and goes back to gRPC after', async () => {
    const proxy = await startTcpProxy(Number(ga.grpcAddress.split(':').pop()))
    const client = new SorchaClient({ endpoints: { grpc: proxy.address, rest: ga.restUrl }, upgradeIntervalMs: 200, timeoutMs: 3_000, retryInitialDelayMs: 20 })
    const watcher = new SorchaClient({ endpoints: { grpc: gb.grpcAddress } })
    const controller = new AbortController()
    const seen: string[] = []
    try {
      const watching = (async () => { for await (const e of watcher.subscribe({ registerIds: ['reg-fallback'] }, { signal: controller.signal })) if (e.transaction !== undefined) seen.push(e.transaction.txId) })()
      await new Promise(resolve => setTimeout(resolve, 700))
      const first = await client.submit({ registerId: 'reg-fallback', payload: Buffer.from('one') })
      assert.equal(client.protocol(), 'grpc-stream')
      proxy.block()
      const second = await client.submit({ registerId: 'reg-fallback', payload: Buffer.from('two') })
      assert.equal(client.protocol(), 'rest')
      proxy.unblock()
      await until(async () => { await client.nodeInfo(); return client.protocol() === 'grpc-stream' }, 100)
      const third = await client.submit({ registerId: 'reg-fallback', payload: Buffer.from('three') })
      assert.equal(client.protocol(), 'grpc-stream')
      await until(() => [first, second, third].every(r => seen.includes(r.txId)))
      controller.abort()
      await watching
    } finally {
      client.close()
      watcher.close()
      await proxy.close()
    }
  })
})
