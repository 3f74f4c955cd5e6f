/** The CLI against a real node alone: submit prints the state (queued), status shows the queue. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { gatewayContribution, type GatewayService } from '../../../src/gateway/index.ts'
import { gossipContribution, txIdOf } from '../../../src/gossip/index.ts'
import { startNetwork, type TestNetwork } from '../../../src/harness/index.ts'
import { cli } from '../../helpers/cli.ts'

describe('sorcha-peer submit / status and the outbound queue', () => {
  let net: TestNetwork
  let target: string[]
  before(async () => {
    net = await startNetwork({ nodes: 1, bootstrap: 'none', config: { gateway: { enabled: true, grpc: { port: 0 }, rest: { port: 0 } } }, contributions: [gossipContribution(), gatewayContribution] })
    const gateway = (net.nodes[0]!.libp2p.services.gateway as GatewayService).current!
    target = ['--grpc', gateway.grpcAddress, '--rest', gateway.restUrl]
  })
  after(async () => { await net?.stop() })

  it('submit prints the tx id and its state; a second submit says it is known and still queued', async () => {
    const id = Buffer.from(txIdOf(Buffer.from('cli queued'))).toString('hex')
    const first = await cli(['submit', ...target, '--register', 'cli', '-'], { input: 'cli queued' })
    assert.equal(first.code, 0, first.stderr)
    assert.equal(first.stdout, `${id} (queued)\n`)
    const again = await cli(['submit', ...target, '--register', 'cli', '--transport', 'rest', '-'], { input: 'cli queued' })
    assert.equal(again.stdout, `${id} (duplicate: already known; queued)\n`)
    const json = await cli(['submit', ...target, '--register', 'cli', '--json', '-'], { input: 'cli queued too' })
    assert.equal((JSON.parse(json.stdout) as { state: string }).state, 'queued')
  })

  it('status shows the queue depth, states, oldest age and whether the node sends, as text (over REST) and JSON (over gRPC)', async () => {
    const text = await cli(['status', '--transport', 'rest', ...target])
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, /^queue {8}2 unconfirmed \(2 queued, 0 announced\), oldest \d+ s; sending: no$/m)
    const json = JSON.parse((await cli(['status', ...target, '--json'])).stdout) as { queue: { depth: number, queued: number, sending: boolean, confirmations: number } }
    assert.deepEqual([json.queue.depth, json.queue.queued, json.queue.sending, json.queue.confirmations], [2, 2, false, 1])
  })
})

describe('sorcha-peer submit to a full queue', () => {
  let net: TestNetwork
  before(async () => {
    net = await startNetwork({ nodes: 1, bootstrap: 'none', config: { queue: { maxDepth: 1, maxBytes: 1024 * 1024 }, gateway: { enabled: true, grpc: { port: 0 }, rest: { port: 0 } } }, contributions: [gossipContribution(), gatewayContribution] })
  })
  after(async () => { await net?.stop() })

  it('exits 1 with one line saying the queue is full and which bound', async () => {
    const gateway = (net.nodes[0]!.libp2p.services.gateway as GatewayService).current!
    const target = ['--grpc', gateway.grpcAddress]
    assert.equal((await cli(['submit', ...target, '--register', 'cli', '-'], { input: 'fills it' })).code, 0)
    const full = await cli(['submit', ...target, '--register', 'cli', '-'], { input: 'one too many' })
    assert.equal(full.code, 1)
    assert.equal(full.stderr, 'sorcha-peer: the outbound queue is full (queue.maxDepth = 1 unconfirmed transactions); retry once peers have confirmed some\n')
  })
})
