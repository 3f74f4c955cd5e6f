/**
 * Cursors and ListTransactions through both servers and the client library (in-memory backend): an
 * expired cursor is OUT_OF_RANGE cursor_expired (gRPC trailer sorcha-oldest-cursor, REST 410
 * problem+json with oldestCursor), a foreign one cursor_unknown, and pages go on from nextCursor.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type * as grpc from '@grpc/grpc-js'
import { SorchaClient } from '../../../src/client/index.ts'
import type { Gateway } from '../../../src/gateway/gateway.ts'
import { MemoryBackend } from '../../../src/gateway/memory-backend.ts'
import { reasonOf, runtimeClients, unary } from '../../helpers/api-clients.ts'
import { startMemoryGateway, TEST_PEER_ID } from '../../helpers/memory-gateway.ts'

const submitAll = async (client: SorchaClient, texts: string[], registerId = 'reg'): Promise<string[]> => {
  const ids: string[] = []
  for (const text of texts) ids.push((await client.submit({ registerId, payload: Buffer.from(text) })).txId)
  return ids
}

describe('journal cursors and ListTransactions through the API', () => {
  let gw: Gateway
  let backend: MemoryBackend
  let client: SorchaClient
  let restClient: SorchaClient
  let ids: string[]
  before(async () => {
    backend = new MemoryBackend({ peerId: TEST_PEER_ID, journalMaxEntries: 5 })
    ;({ gateway: gw } = await startMemoryGateway({ rateLimit: { perSecond: 0 } }, backend))
    client = new SorchaClient({ endpoints: { grpc: gw.grpcAddress }, maxAttempts: 1 })
    restClient = new SorchaClient({ endpoints: { rest: gw.restUrl }, maxAttempts: 1 })
    // Eight transactions; the journal keeps the last five (4..8), so cursors before .3 are expired.
    ids = await submitAll(client, ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8'])
  })
  after(async () => {
    client.close()
    restClient.close()
    await gw.stop()
  })

  const cursor = (seq: number): string => backend.journal.cursorOf(seq)

  it('lists pages over gRPC and REST, from the oldest held or after a cursor', async () => {
    for (const c of [client, restClient]) {
      const first = await c.listTransactions({ limit: 2 })
      assert.deepEqual(first.transactions.map(t => t.txId), ids.slice(3, 5))
      assert.equal(first.nextCursor, cursor(5))
      assert.equal(first.more, true)
      assert.equal(first.transactions[1]?.cursor, cursor(5))
      const rest = await c.listTransactions({ since: first.nextCursor })
      assert.deepEqual([rest.transactions.map(t => t.txId), rest.nextCursor, rest.more], [ids.slice(5), cursor(8), false])
      const none = await c.listTransactions({ since: rest.nextCursor, registerIds: ['reg'] })
      assert.deepEqual([none.transactions, none.nextCursor], [[], cursor(8)])
    }
  })

  it('gRPC: an expired cursor is OUT_OF_RANGE cursor_expired with the oldest cursor in a trailer; a foreign one cursor_unknown', async () => {
    const api = runtimeClients(gw.grpcAddress)
    try {
      const streamError = async (request: Record<string, unknown>): Promise<grpc.ServiceError> => await new Promise(resolve => {
        const call = api.transactions.subscribe(request)
        call.on('data', () => {})
        call.on('error', resolve)
      })
      const expired = await streamError({ cursor: cursor(1) })
      assert.equal(expired.code, 11)
      assert.equal(reasonOf(expired), 'cursor_expired')
      assert.equal(expired.metadata.get('sorcha-oldest-cursor')[0], cursor(3))
      assert.match(expired.details, /older than this node's journal retention; the oldest cursor it accepts is [0-9a-f]{16}\.3 /)
      const foreign = await streamError({ cursor: '0123456789abcdef.4' })
      assert.equal(reasonOf(foreign), 'cursor_unknown')
      assert.match(foreign.details, /^cursor 0123456789abcdef\.4 was not issued by this node's journal/)
      const [listErr] = await unary(api.transactions, 'listTransactions', { since: cursor(2) })
      assert.equal(reasonOf(listErr), 'cursor_expired')
      const [badErr] = await unary(api.transactions, 'listTransactions', { since: 'nope' })
      assert.equal(reasonOf(badErr), 'invalid_cursor')
      const [limitErr] = await unary(api.transactions, 'listTransactions', { limit: 1001 })
      assert.equal(reasonOf(limitErr), 'invalid_limit')
    } finally {
      api.close()
    }
  })

  it('REST: 410 problem+json before any event, for the stream and the listing', async () => {
    for (const path of [`/v1/transactions/stream?cursor=${cursor(1)}`, `/v1/transactions?since=${cursor(1)}`]) {
      const response = await fetch(`${gw.restUrl}${path}`)
      assert.equal(response.status, 410, path)
      assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8')
      const problem = await response.json() as { code: string, reason: string, oldestCursor: string, detail: string }
      assert.deepEqual([problem.code, problem.reason, problem.oldestCursor], ['OUT_OF_RANGE', 'cursor_expired', cursor(3)])
    }
    const lastEventId = await fetch(`${gw.restUrl}/v1/transactions/stream`, { headers: { 'last-event-id': '0123456789abcdef.1' } })
    assert.equal(lastEventId.status, 410)
    assert.equal((await lastEventId.json() as { reason: string }).reason, 'cursor_unknown')
  })

  it('the client library throws CursorExpiredError with oldestCursor, and resuming from it replays what is held', async () => {
    for (const c of [client, restClient]) {
      const failed = await (async () => {
        for await (const item of c.subscribe({ cursor: cursor(2) })) return item
      })().catch((err: unknown) => err)
      assert.equal((failed as Error).name, 'CursorExpiredError')
      const oldest = (failed as { oldestCursor: string }).oldestCursor
      assert.equal(oldest, cursor(3))
      const got: string[] = []
      const controller = new AbortController()
      for await (const item of c.subscribe({ cursor: oldest }, { signal: controller.signal })) {
        got.push(item.transaction!.txId)
        if (got.length === 5) controller.abort()
      }
      assert.deepEqual(got, ids.slice(3))
      await assert.rejects(c.listTransactions({ since: '0123456789abcdef.1' }), { name: 'UnknownCursorError' })
    }
  })
})
