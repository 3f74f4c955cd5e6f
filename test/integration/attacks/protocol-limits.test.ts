/**
 * Per-peer limits on peer exchange and reconciliation between real nodes (docs/security.md): a peer
 * that asks too often, or sends reconciliation frames too fast, is refused beyond its bucket and
 * reported once per episode; a malformed peer-exchange request or answer is reported as
 * protocol_violation; a graylisted peer's peer-exchange requests and direct messages are refused.
 * (tx-gossip and direct messages: attacks.test.ts and direct-messaging.test.ts.)
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import * as lp from 'it-length-prefixed'
import { TX_RECONCILE_PROTOCOL } from '../../../protocols/reconcile/index.ts'
import { PeerExchangeRequest } from '../../../protos/gen/sorcha/p2p/v1/peer_exchange.ts'
import { PEER_EXCHANGE_PROTOCOL } from '../../../src/discovery/peer-exchange.ts'
import { defaultContributions } from '../../../src/node/contributions.ts'
import { configSchema } from '../../../src/config/index.ts'
import type { PeerLimits } from '../../../src/limits/peer-limits.ts'
import { dialAddrs, startNetwork, type TestNetwork } from '../../../src/harness/index.ts'
import type { SorchaNode } from '../../../src/node/sorcha-node.ts'
import { DirectAck, DirectEnvelope } from '../../../protos/gen/sorcha/p2p/v1/direct.ts'
import { DIRECT_PROTOCOL } from '../../../src/direct/index.ts'
import type { PeerExchange } from '../../../src/discovery/peer-exchange.ts'
import type { PeerList } from '../../../src/peers/types.ts'
import { OffenceLog, recordingReputation } from '../../support/attacker.ts'
import { quiet, waitFor } from '../../support/gossip-net.ts'

/** Peer-exchange burst: the asker's advertisement on connecting (1), the graylist test (2) and the malformed request (1) leave 2. */
const BURST = 6

describe('per-peer limits: peer exchange and reconciliation', () => {
  const offences = new OffenceLog()
  const graylisted = new Set<string>()
  let net: TestNetwork
  let asker: SorchaNode
  let server: SorchaNode
  const limitsOf = (node: SorchaNode): PeerLimits => (node.libp2p.services as unknown as { limits: PeerLimits }).limits

  before(async () => {
    // Discovery must not re-ask its one neighbour during the file (it does every `intervalMs` while short
    // of connections, 30 s by default): under load the file outlasts that, and a request of its own would
    // use the peer-exchange token the malformed request below needs.
    const config = {
      limits: { peerExchange: { ratePerSec: 0.001, burst: BURST }, reconcile: { ratePerSec: 0.001, burst: 3 } },
      discovery: { intervalMs: 24 * 3_600_000, refreshIntervalMs: 24 * 3_600_000 }
    }
    const contributions = [...defaultContributions(configSchema.parse({})), recordingReputation(offences, { graylisted })]
    net = await startNetwork({ nodes: 2, bootstrap: 'none', config, contributions })
    ;[asker, server] = net.nodes as [SorchaNode, SorchaNode]
    await quiet(net.nodes)
    await asker.libp2p.dial(multiaddr(dialAddrs(server)[0]!))
  })
  after(async () => { await net?.stop() })

  // First, while the peer-exchange bucket still has tokens: both requests use one.
  it('refuses a graylisted peer\'s peer-exchange requests and direct messages, unread', async () => {
    const talk = async (protocol: string): Promise<'answered' | 'refused'> => {
      const stream = await asker.libp2p.dialProtocol(server.peerId, protocol)
      try {
        const channel = lpStream(stream)
        await channel.write(protocol === DIRECT_PROTOCOL
          ? DirectEnvelope.encode({ messageId: 'ab'.repeat(16), topic: 't', payload: new Uint8Array(1), sentAtMs: 0 }).finish()
          : PeerExchangeRequest.encode({ maxPeers: 10, self: undefined }).finish())
        const bytes = (await channel.read({ signal: AbortSignal.timeout(10_000) })).subarray()
        if (protocol === DIRECT_PROTOCOL) DirectAck.decode(bytes) // an acknowledgement (no app listens here: accepted false, reason given)
        return 'answered'
      } catch (err) {
        if ((err as Error).name === 'TimeoutError') throw err
        return 'refused'
      } finally {
        stream.abort(new Error('done'))
      }
    }
    for (const protocol of [PEER_EXCHANGE_PROTOCOL, DIRECT_PROTOCOL]) {
      assert.equal(await talk(protocol), 'answered', `${protocol}: answered while not graylisted`)
      graylisted.add(asker.peerId.toString())
      try {
        assert.equal(await talk(protocol), 'refused', `${protocol}: refused while graylisted`)
      } finally {
        graylisted.delete(asker.peerId.toString())
      }
    }
  })

  it('reports a malformed peer-exchange request (protocol_violation), answers requests up to the bucket, then refuses the stream (rate_limited)', async () => {
    const ask = async (bytes: Uint8Array): Promise<boolean> => {
      const stream = await asker.libp2p.dialProtocol(server.peerId, PEER_EXCHANGE_PROTOCOL)
      const channel = lpStream(stream)
      try {
        await channel.write(bytes)
        await channel.read({ signal: AbortSignal.timeout(10_000) })
        return true
      } catch {
        return false
      } finally {
        stream.abort(new Error('done'))
      }
    }
    // Malformed first, while the bucket has tokens (the topology service may ask too, now and then).
    const bad = await asker.libp2p.dialProtocol(server.peerId, PEER_EXCHANGE_PROTOCOL)
    await lpStream(bad).write(new Uint8Array([0xff, 0xff, 0xff]))
    await waitFor(() => offences.of(server.peerId.toString(), asker.peerId.toString()).includes('protocol_violation'), 10_000, 'protocol_violation reported')
    bad.abort(new Error('done'))
    const request = PeerExchangeRequest.encode({ maxPeers: 10, self: undefined }).finish()
    const answers: boolean[] = []
    for (let i = 0; i < 10 && !answers.includes(false); i++) answers.push(await ask(request))
    assert.equal(answers.at(-1), false, 'a request beyond the bucket is refused')
    assert.ok(answers.length <= BURST && answers.slice(0, -1).every(a => a), `answers ${answers.join(',')}`)
    assert.ok(limitsOf(server).throttled().peer_exchange >= 1)
    await waitFor(() => offences.of(server.peerId.toString(), asker.peerId.toString()).includes('rate_limited'), 10_000, 'rate_limited reported')
  })

  it('drops reconciliation frames beyond the bucket (rate_limited)', async () => {
    const stream = await asker.libp2p.dialProtocol(server.peerId, TX_RECONCILE_PROTOCOL)
    const before = limitsOf(server).throttled().reconcile
    for (let i = 0; i < 10; i++) stream.send(lp.encode.single(new Uint8Array([0xff, i])).subarray())
    await waitFor(() => limitsOf(server).throttled().reconcile >= before + 7, 10_000, 'frames beyond the bucket dropped')
    stream.abort(new Error('done'))
  })

  it('reports an undecodable peer-exchange answer as protocol_violation (not as a health failure)', async () => {
    await server.libp2p.unhandle(PEER_EXCHANGE_PROTOCOL)
    await server.libp2p.handle(PEER_EXCHANGE_PROTOCOL, async stream => {
      const channel = lpStream(stream)
      await channel.read()
      await channel.write(new Uint8Array([0xff, 0xff, 0xff]))
      await stream.close()
    })
    const exchange = (asker.libp2p.services as unknown as { topology: { exchange: PeerExchange } }).topology.exchange
    // Every health failure recorded meanwhile, with its reason: a ping that times out on a loaded machine
    // is not what this test is about, so the reasons are compared rather than the failure count.
    const peerList = (asker.libp2p.services as unknown as { peerList: PeerList }).peerList
    const recordFailure = peerList.recordFailure
    const failures: string[] = []
    peerList.recordFailure = async (peerId, result, options) => {
      if (peerId === server.peerId.toString()) failures.push(result.reason)
      return recordFailure.call(peerList, peerId, result, options)
    }
    try {
      const { judgement } = await exchange.ask(server.peerId, { signal: AbortSignal.timeout(10_000) })
      assert.equal(judgement.verdict, 'reject')
    } finally {
      peerList.recordFailure = recordFailure
    }
    assert.ok(offences.of(asker.peerId.toString(), server.peerId.toString()).includes('protocol_violation'))
    assert.deepEqual(failures.filter(reason => reason !== 'ping'), [], 'the peer answered: its health does not suffer')
  })
})
