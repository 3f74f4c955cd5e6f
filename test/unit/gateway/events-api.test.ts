import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { SorchaClient } from '../../../src/client/index.ts'
import type { Gateway } from '../../../src/gateway/gateway.ts'
import { startMemoryGateway } from '../../helpers/memory-gateway.ts'

describe('Events API on a node without an event log (in-memory backend)', () => {
  let gateway: Gateway
  before(async () => { ({ gateway } = await startMemoryGateway()) })
  after(async () => { await gateway?.stop() })

  it('answers UNAVAILABLE (event_log_unavailable) on REST, SSE and both gRPC calls', async () => {
    const list = await fetch(`${gateway.restUrl}/v1/events`)
    assert.equal(list.status, 503)
    const problem = await list.json() as { reason: string, detail: string }
    assert.deepEqual([problem.reason, problem.detail], ['event_log_unavailable', 'this node runs without the event log service'])
    const stream = await fetch(`${gateway.restUrl}/v1/events/stream`)
    assert.equal(stream.status, 503, 'refused before the stream opens')
    const client = new SorchaClient({ endpoints: { grpc: gateway.grpcAddress }, transports: ['grpc-unary'] })
    try {
      await assert.rejects(client.listEvents(), { name: 'UnavailableError', reason: 'event_log_unavailable' })
      await assert.rejects(async () => { for await (const _ of client.followEvents()) break }, { name: 'UnavailableError', reason: 'event_log_unavailable' })
    } finally {
      client.close()
    }
  })

  it('checks the filter before the backend: a bad one is INVALID_ARGUMENT even here', async () => {
    const response = await fetch(`${gateway.restUrl}/v1/events?type=peer_connected&type=nope`)
    assert.equal(response.status, 400)
    const problem = await response.json() as { reason: string, detail: string }
    assert.equal(problem.reason, 'invalid_event_type')
    assert.match(problem.detail, /^unknown event type "nope"; known types: /)
    const peer = await fetch(`${gateway.restUrl}/v1/events?peerId=someone`)
    assert.equal(peer.status, 400)
    assert.equal((await peer.json() as { reason: string }).reason, 'invalid_peer_id')
  })
})
