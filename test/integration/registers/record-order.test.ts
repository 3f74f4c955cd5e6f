/**
 * A peer's own records arriving out of order (protocols/topology/SPEC.md §8): an older record read
 * after a newer one (an exchange's answer processed after a later advertisement, on another stream)
 * must not replace it, or the peer's neighbours keep its old registers for as long as it stays
 * connected. Real nodes, raw peer-exchange requests carrying versioned records.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import type { PeerCapabilities } from '../../../protocols/models/index.ts'
import { PeerExchangeRequest, PeerExchangeResponse } from '../../../protos/gen/sorcha/p2p/v1/peer_exchange.ts'
import { PEER_EXCHANGE_PROTOCOL, type PeerExchange } from '../../../src/discovery/peer-exchange.ts'
import { topologyContribution } from '../../../src/discovery/index.ts'
import { peerHealthContribution } from '../../../src/health/index.ts'
import { dialAddrs, startNetwork, type TestNetwork } from '../../../src/harness/index.ts'
import type { SorchaNode } from '../../../src/node/sorcha-node.ts'
import type { PeerList } from '../../../src/peers/types.ts'
import { quiet } from '../../support/gossip-net.ts'

const record = (registers: string[], recordSeq: number): PeerCapabilities => ({ protocols: [], registers, allRegisters: false, roles: [], maxTransactionBytes: 0, recordSeq })

describe('peer records: an older record of a peer never replaces a newer one', () => {
  let net: TestNetwork
  let asker: SorchaNode
  let server: SorchaNode

  before(async () => {
    // No gossip service: neither node has a record of its own, so only the records sent below travel.
    const config = { discovery: { intervalMs: 24 * 3_600_000, refreshIntervalMs: 24 * 3_600_000 } }
    net = await startNetwork({ nodes: 2, bootstrap: 'none', config, contributions: [peerHealthContribution(), topologyContribution] })
    ;[asker, server] = net.nodes as [SorchaNode, SorchaNode]
    await quiet(net.nodes)
    await asker.libp2p.dial(multiaddr(dialAddrs(server)[0]!))
  })
  after(async () => { await net?.stop() })

  /** Sends `self` in a peer-exchange request for no peers; resolves with the answer (the server has recorded `self` by then). */
  const advertise = async (self: PeerCapabilities): Promise<void> => {
    const stream = await asker.libp2p.dialProtocol(server.peerId, PEER_EXCHANGE_PROTOCOL)
    const channel = lpStream(stream)
    await channel.write(PeerExchangeRequest.encode({ maxPeers: 0, self }).finish())
    PeerExchangeResponse.decode((await channel.read({ signal: AbortSignal.timeout(30_000) })).subarray())
    await stream.close()
  }
  const registersSeen = async (): Promise<string[] | undefined> =>
    (await (server.libp2p.services as unknown as { peerList: PeerList }).peerList.get(asker.peerId.toString()))?.capabilities?.registers

  it('keeps the newest of one connection\'s records; unversioned ones always apply', async () => {
    await advertise(record(['reg-new'], 2_000))
    assert.deepEqual(await registersSeen(), ['reg-new'])
    await advertise(record(['reg-old'], 1_000))
    assert.deepEqual(await registersSeen(), ['reg-new'], 'an older record arriving later is ignored')
    await advertise(record(['reg-same'], 2_000))
    assert.deepEqual(await registersSeen(), ['reg-same'], 'the same version again applies')
    await advertise(record(['reg-unversioned'], 0))
    assert.deepEqual(await registersSeen(), ['reg-unversioned'], 'a record without a version (an older node) applies')
  })

  it('an exchange whose answer never comes leaves no stream open on the connection', async () => {
    // A responder that reads nothing and never answers, in place of the server's own. Streams left
    // open count against the connection's two outbound exchange streams: two timed-out exchanges
    // used to leave every later one (advertisements included) refused while the connection lived.
    await server.libp2p.handle(PEER_EXCHANGE_PROTOCOL, () => {}, { force: true })
    const exchangeOf = (node: SorchaNode): PeerExchange => (node.libp2p.services as unknown as { topology: { exchange: PeerExchange } }).topology.exchange
    try {
      const open = (): number => asker.libp2p.getConnections(server.peerId).flatMap(c => c.streams).filter(s => s.protocol === PEER_EXCHANGE_PROTOCOL).length
      // Long enough for the stream's negotiation to end first: it is the unanswered read that times out.
      await assert.rejects(exchangeOf(asker).ask(server.peerId, { signal: AbortSignal.timeout(2_000) }), { name: 'TimeoutError' })
      // Besides ours, the handler swap's identify push makes the asker advertise, and that exchange
      // meets the same silent responder: it must be gone too once its own 10-s deadline has passed.
      for (let i = 0; i < 600 && open() > 0; i++) await new Promise(resolve => setTimeout(resolve, 20))
      assert.deepEqual(asker.libp2p.getConnections(server.peerId).flatMap(c => c.streams).filter(s => s.protocol === PEER_EXCHANGE_PROTOCOL).map(s => [s.status, s.readStatus, s.writeStatus]), [])
    } finally {
      await exchangeOf(server).start()
    }
  })

  it('compares versions only while the connection that brought the newest is open (a restarted peer starts afresh)', async () => {
    await advertise(record(['reg-before'], 5_000))
    await asker.libp2p.hangUp(server.peerId)
    await asker.libp2p.dial(multiaddr(dialAddrs(server)[0]!))
    await advertise(record(['reg-after'], 10))
    assert.deepEqual(await registersSeen(), ['reg-after'])
  })
})
