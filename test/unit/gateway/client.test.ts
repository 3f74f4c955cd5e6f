import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SorchaClient } from '../../../src/client/index.ts'
import { txIdOf } from '../../../src/gateway/validate.ts'
import { until } from '../../helpers/api-clients.ts'
import { startMemoryGateway } from '../../helpers/memory-gateway.ts'
import { startTcpProxy } from '../../helpers/tcp-proxy.ts'

describe('client library', () => {
  it('negotiates gRPC stream first, and gives the same answers over every transport', async () => {
    const { gateway } = await startMemoryGateway({ rateLimit: { perSecond: 0 } })
    try {
      for (const transports of [undefined, ['grpc-unary'], ['rest']] as const) {
        const client = new SorchaClient({ endpoints: { grpc: gateway.grpcAddress, rest: gateway.restUrl }, ...(transports === undefined ? {} : { transports: [...transports] }) })
        assert.equal(client.protocol(), undefined)
        const payload = Buffer.from(`via ${transports?.[0] ?? 'default'}`)
        const controller = new AbortController()
        const seen: string[] = []
        const watching = (async () => { for await (const e of client.subscribe({ registerIds: ['c'] }, { signal: controller.signal })) if (e.transaction !== undefined) seen.push(e.transaction.txId) })()
        await new Promise(resolve => setTimeout(resolve, 600))
        const result = await client.submit({ registerId: 'c', payload })
        assert.equal(result.txId, txIdOf(payload))
        assert.equal((await client.submit({ registerId: 'c', payload })).duplicate, true)
        await assert.rejects(client.submit({ registerId: 'c', payload, rejectDuplicate: true }), { name: 'AlreadyExistsError' })
        await assert.rejects(client.submit({ registerId: 'c d', payload }), { name: 'InvalidArgumentError' })
        assert.deepEqual(Buffer.from((await client.getTransaction(result.txId)).payload), payload)
        await assert.rejects(client.getTransaction('ab'.repeat(32)), { name: 'NotFoundError' })
        assert.equal(client.protocol(), transports?.[0] ?? 'grpc-stream')
        await until(() => seen.includes(result.txId))
        controller.abort()
        await watching
        client.close()
      }
    } finally {
      await gateway.stop()
    }
  })

  it('falls back to REST when the gRPC port is blocked, then upgrades back when it returns', async () => {
    const { gateway } = await startMemoryGateway({ rateLimit: { perSecond: 0 } })
    const proxy = await startTcpProxy(Number(gateway.grpcAddress.split(':').pop()))
    const client = new SorchaClient({ endpoints: { grpc: proxy.address, rest: gateway.restUrl }, upgradeIntervalMs: 200, timeoutMs: 2_000, retryInitialDelayMs: 10 })
    try {
      await client.nodeInfo()
      assert.equal(client.protocol(), 'grpc-stream')
      proxy.block()
      await client.submit({ registerId: 'f', payload: Buffer.from('during the block') })
      assert.equal(client.protocol(), 'rest')
      proxy.unblock()
      await until(async () => {
        await client.nodeInfo()
        return client.protocol() === 'grpc-stream'
      }, 100)
      await client.submit({ registerId: 'f', payload: Buffer.from('after the block') })
      assert.equal(client.protocol(), 'grpc-stream')
    } finally {
      client.close()
      await proxy.close()
      await gateway.stop()
    }
  })

  it('retries transport failures with backoff and fails over to the next endpoint when one is down', async () => {
    const { gateway } = await startMemoryGateway({ rateLimit: { perSecond: 0 } })
    const dead = await startTcpProxy(1)
    dead.block()
    const client = new SorchaClient({
      endpoints: [{ grpc: dead.address }, { grpc: gateway.grpcAddress }],
      transports: ['grpc-unary'], breakerThreshold: 2, breakerHalfOpenAfterMs: 60_000, timeoutMs: 2_000, retryInitialDelayMs: 10
    })
    try {
      for (let i = 0; i < 3; i++) await client.nodeInfo()
      assert.equal(client.protocol(0), undefined)
      assert.equal(client.protocol(1), 'grpc-unary')
      const alone = new SorchaClient({ endpoints: { grpc: dead.address }, maxAttempts: 3, retryInitialDelayMs: 5, timeoutMs: 1_000 })
      await assert.rejects(alone.nodeInfo(), { name: 'NoTransportError' })
      alone.close()
    } finally {
      client.close()
      await dead.close()
      await gateway.stop()
    }
  })

  it('resumes a subscription after the server restarts its streams, from the last cursor', async () => {
    const { gateway } = await startMemoryGateway({ rateLimit: { perSecond: 0 } })
    const proxy = await startTcpProxy(Number(gateway.grpcAddress.split(':').pop()))
    const client = new SorchaClient({ endpoints: { grpc: proxy.address }, transports: ['grpc-unary'], retryInitialDelayMs: 20, timeoutMs: 2_000 })
    const writer = new SorchaClient({ endpoints: { grpc: gateway.grpcAddress }, transports: ['grpc-unary'] })
    const controller = new AbortController()
    const seen: string[] = []
    try {
      const watching = (async () => { for await (const e of client.subscribe({}, { signal: controller.signal })) if (e.transaction !== undefined) seen.push(Buffer.from(e.transaction.txId).toString()) })()
      await new Promise(resolve => setTimeout(resolve, 600))
      const first = await writer.submit({ registerId: 'r', payload: Buffer.from('before') })
      await until(() => seen.length === 1)
      proxy.block()
      const second = await writer.submit({ registerId: 'r', payload: Buffer.from('while cut off') })
      proxy.unblock()
      await until(() => seen.length === 2)
      controller.abort()
      await watching
      assert.deepEqual(seen, [first.txId, second.txId])
    } finally {
      client.close()
      writer.close()
      await proxy.close()
      await gateway.stop()
    }
  })
})
