/**
 * Rough edges of the gateway on a real node: a peer id of the right shape that libp2p cannot decode
 * (it used to surface as `UNAVAILABLE: the peer cannot be reached: Invalid URL`), a ping to a peer
 * nobody can reach (it used to hang a REST call for ever), and what NodeInfo reports.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import * as grpc from '@grpc/grpc-js'
import { DIRECT_NODE_MAX_MESSAGE_BYTES_CAP, directContribution } from '../../src/direct/index.ts'
import { startGateway, type Gateway } from '../../src/gateway/index.ts'
import { startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import { reasonOf, runtimeClients, unary } from '../helpers/api-clients.ts'

/** base58btc, starts like an Ed25519 peer id, but decodes to no key: libp2p throws TypeError('Invalid URL'). */
const UNDECODABLE = `12D3KooW${'1'.repeat(44)}`
/** A well-formed peer id that no node has. */
const NOBODY = '12D3KooWAbCdEfGhJkLmNoPqRsTuVwXyZ123456789123456789a'

describe('gateway errors on a running node', () => {
  let net: TestNetwork
  let gateway: Gateway
  let api: ReturnType<typeof runtimeClients>
  before(async () => {
    net = await startNetwork({ nodes: 1, bootstrap: 'none', contributions: [directContribution], config: { gateway: { enabled: true, grpc: { port: 0 }, rest: { port: 0 }, rateLimit: { perSecond: 0 } } } })
    gateway = await startGateway(net.nodes[0]!)
    api = runtimeClients(gateway.grpcAddress)
  })
  after(async () => {
    api?.close()
    await gateway?.stop()
    await net?.stop()
  })

  it('a peer id libp2p cannot decode is INVALID_ARGUMENT invalid_peer_id on gRPC and REST, never "Invalid URL"', async () => {
    const calls: Array<[ReturnType<typeof runtimeClients>['discovery'], string, unknown]> = [
      [api.communication, 'ping', { peerId: UNDECODABLE }],
      [api.communication, 'sendMessage', { peerId: UNDECODABLE, topic: 't', payload: Buffer.from('x') }],
      [api.discovery, 'getPeer', { peerId: UNDECODABLE }]
    ]
    for (const [client, method, request] of calls) {
      const [err] = await unary(client, method, request, { deadlineMs: 30_000 })
      assert.equal(err?.code, grpc.status.INVALID_ARGUMENT, method)
      assert.equal(reasonOf(err), 'invalid_peer_id', method)
      assert.doesNotMatch(err?.details ?? '', /Invalid URL/)
    }
    for (const [path, init] of [['ping', { method: 'POST' }], ['messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"topic":"t","payload":"eA=="}' }]] as const) {
      const response = await fetch(`${gateway.restUrl}/v1/peers/${UNDECODABLE}/${path}`, init)
      const text = await response.text()
      assert.equal(response.status, 400, text)
      assert.equal((JSON.parse(text) as { reason: string }).reason, 'invalid_peer_id')
      assert.doesNotMatch(text, /Invalid URL/)
    }
  })

  it('NodeInfo reports the direct-message limit the node enforces, on gRPC and REST', async () => {
    const [err, info] = await unary(api.discovery, 'getNodeInfo', {})
    assert.equal(err, null)
    const limit = info?.maxDirectMessageBytes as number
    assert.equal(limit, Math.min(16 * 1024 * 1024, DIRECT_NODE_MAX_MESSAGE_BYTES_CAP), 'gateway.maxMessageBytes (16 MiB by default) capped')
    const rest = await (await fetch(`${gateway.restUrl}/v1/node`)).json() as { maxDirectMessageBytes: number }
    assert.equal(rest.maxDirectMessageBytes, limit)
    const self = net.nodes[0]!.peerId.toString()
    const [tooLarge] = await unary(api.communication, 'sendMessage', { peerId: self, topic: 't', payload: Buffer.alloc(limit + 1) })
    assert.equal(tooLarge?.code, grpc.status.INVALID_ARGUMENT)
    assert.equal(reasonOf(tooLarge), 'payload_too_large')
  })

  it('a ping to a peer nobody can reach ends (REST has no deadline of its own) with a fixed message', async () => {
    const response = await fetch(`${gateway.restUrl}/v1/peers/${NOBODY}/ping`, { method: 'POST' })
    const problem = await response.json() as { code: string, reason: string, detail: string }
    assert.ok(['DEADLINE_EXCEEDED', 'UNAVAILABLE'].includes(problem.code), JSON.stringify(problem))
    assert.ok(['ping_timeout', 'peer_unreachable', 'peer_no_address'].includes(problem.reason), JSON.stringify(problem))
    assert.ok(problem.detail.startsWith(`peer ${NOBODY} `), problem.detail)
  })
})
