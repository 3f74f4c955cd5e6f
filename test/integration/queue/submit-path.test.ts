/**
 * The submit path's promises (issue 16, defects): concurrent submits of one payload have exactly one
 * winner (`duplicate: false`), on the node API and through the REST batch route; an acknowledged
 * submission was written with a synced LevelDB batch that holds the transaction and its queue record,
 * and that write completed before the acknowledgement; a full queue answers RESOURCE_EXHAUSTED
 * (gRPC) / 429 (REST) with reason queue_full.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { gatewayContribution, type GatewayService } from '../../../src/gateway/index.ts'
import { gossipContribution, gossipOf, txIdOf } from '../../../src/gossip/index.ts'
import { startNetwork, type TestNetwork } from '../../../src/harness/index.ts'
import type { SorchaNode } from '../../../src/node/sorcha-node.ts'
import { QUEUE_SUBLEVEL } from '../../../src/queue/index.ts'
import { reasonOf, runtimeClients, unary } from '../../helpers/api-clients.ts'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
const EPHEMERAL = { enabled: true, grpc: { port: 0 }, rest: { port: 0 }, rateLimit: { perSecond: 0 } }

interface RecordedBatch { keys: string[], sync: boolean, doneAt: number | undefined }

/** Records every batch written through the store's sublevel: its keys (queue ops prefixed), its sync flag, when it completed. */
function recordBatches (node: SorchaNode): RecordedBatch[] {
  const sub = node.storage.sublevel('tx') as unknown as { batch: (ops: unknown[], options?: { sync?: boolean }) => Promise<void> }
  const queue = node.storage.sublevel(QUEUE_SUBLEVEL)
  const original = sub.batch.bind(sub)
  const seen: RecordedBatch[] = []
  sub.batch = async (ops, options) => {
    const entry: RecordedBatch = {
      keys: (ops as Array<{ key: string, sublevel?: unknown }>).map(op => op.sublevel === queue ? `queue!${op.key}` : op.key),
      sync: options?.sync === true,
      doneAt: undefined
    }
    seen.push(entry)
    await original(ops, options)
    entry.doneAt = performance.now()
  }
  return seen
}

describe('the submit path', () => {
  let net: TestNetwork
  let node: SorchaNode
  let batches: RecordedBatch[]
  before(async () => {
    net = await startNetwork({
      nodes: 1,
      bootstrap: 'none',
      config: { gateway: EPHEMERAL, queue: { maxDepth: 40 } },
      contributions: [gossipContribution(), gatewayContribution],
      onCreate: n => { batches = recordBatches(n) }
    })
    node = net.nodes[0] as SorchaNode
  })
  after(async () => { await net?.stop() })

  it('concurrent publishes of one payload: exactly one reports duplicate: false', async () => {
    const payload = text('one winner')
    const results = await Promise.all(Array.from({ length: 8 }, async () => gossipOf(node).publish({ registerId: 'reg', payload })))
    assert.equal(results.filter(r => !r.duplicate).length, 1)
    assert.ok(results.every(r => r.txId === hex(txIdOf(payload))))
    assert.ok(results.every(r => r.state === 'queued'), 'alone, the winner and the others report it queued')
    assert.equal(batches.filter(b => b.keys.includes(`b:${hex(txIdOf(payload))}`)).length, 1, 'written once')
  })

  it('the same payload twice in one REST batch: one new, one duplicate', async () => {
    const gateway = (node.libp2p.services.gateway as GatewayService).current!
    const payload = Buffer.from('twice in a batch').toString('base64')
    const item = (clientRef: string): unknown => ({ clientRef, transaction: { registerId: 'reg', payload } })
    const response = await fetch(`${gateway.restUrl}/v1/transactions/batch`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ transactions: [item('a'), item('b'), item('c')] })
    })
    assert.equal(response.status, 200)
    const { acks } = await response.json() as { acks: Array<{ result: { duplicate: boolean, state: string } }> }
    assert.deepEqual(acks.map(a => a.result.duplicate).sort(), [false, true, true])
    assert.ok(acks.every(a => a.result.state === 'TRANSACTION_STATE_QUEUED'))
  })

  it('an acknowledged submission was written in a synced batch with its queue record, completed before the acknowledgement', async () => {
    const payload = text('durable before the ack')
    const id = hex(txIdOf(payload))
    const result = await gossipOf(node).publish({ registerId: 'reg', payload })
    const ackedAt = performance.now()
    assert.equal(result.duplicate, false)
    const batch = batches.find(b => b.keys.includes(`b:${id}`))
    assert.ok(batch, 'the transaction was written')
    assert.equal(batch.sync, true, 'with sync: true')
    assert.ok(batch.keys.some(k => k.startsWith('queue!q:') && k.endsWith(id)), 'its queue record is in the same batch')
    assert.ok(batch.doneAt !== undefined && batch.doneAt <= ackedAt, 'the write completed before publish() resolved')
  })

  it('a full queue answers RESOURCE_EXHAUSTED over gRPC and 429 over REST, reason queue_full', async () => {
    const gateway = (node.libp2p.services.gateway as GatewayService).current!
    const stats = gossipOf(node).queueStats()
    for (let i = stats.depth; i < stats.maxDepth; i++) await gossipOf(node).publish({ registerId: 'reg', payload: text(`filler ${i}`) })
    assert.equal(gossipOf(node).queueStats().depth, 40)
    const api = runtimeClients(gateway.grpcAddress)
    try {
      const [err] = await unary(api.transactions, 'submitTransaction', { registerId: 'reg', payload: Buffer.from('one too many') })
      assert.equal(err?.code, 8) // RESOURCE_EXHAUSTED
      assert.equal(reasonOf(err), 'queue_full')
    } finally {
      api.close()
    }
    const response = await fetch(`${gateway.restUrl}/v1/transactions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ registerId: 'reg', payload: Buffer.from('one too many').toString('base64') })
    })
    assert.equal(response.status, 429)
    assert.equal(response.headers.get('retry-after'), '1')
    const problem = await response.json() as { code: string, reason: string, detail: string }
    assert.equal(problem.code, 'RESOURCE_EXHAUSTED')
    assert.equal(problem.reason, 'queue_full')
    assert.equal(problem.detail, 'the outbound queue is full (queue.maxDepth = 40 unconfirmed transactions); retry once peers have confirmed some')
    // A duplicate of a queued transaction is still answered: nothing new is written.
    assert.equal((await gossipOf(node).publish({ registerId: 'reg', payload: text('filler 5') })).duplicate, true)
  })
})
