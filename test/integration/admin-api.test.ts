/**
 * The Admin API on real nodes, over a gRPC client built from admin.proto at run time and over REST:
 * connected peers, dial, disconnect, ban and unban, log levels, node info and statistics; and the
 * access rule (a non-loopback listener without a token refuses every admin call).
 */
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import * as grpc from '@grpc/grpc-js'
import { after, before, describe, it } from 'node:test'
import type { EventLogService } from '../../src/events/index.ts'
import { SorchaClient } from '../../src/client/index.ts'
import type { GatewayService } from '../../src/gateway/index.ts'
import { PeerStatus } from '../../protocols/models/index.ts'
import { dialAddrs, startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import { configureLogging, logger } from '../../src/logging/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import { reasonOf, unary } from '../helpers/api-clients.ts'
import { makePeerIds } from '../helpers/peer-ids.ts'
import { rest, runtimeAdminClient } from '../helpers/admin-clients.ts'

const gatewayOf = (node: SorchaNode): { grpcAddress: string, restUrl: string } => (node.libp2p.services as unknown as { gateway: GatewayService }).gateway.current!
const GATEWAY = { enabled: true, grpc: { port: 0 }, rest: { port: 0 }, rateLimit: { perSecond: 0 } }
const connectedTo = (node: SorchaNode, peer: SorchaNode): boolean => node.libp2p.getConnections(peer.peerId).some(c => c.status === 'open')

async function eventually (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

interface ConnectedPeer { peerId: string, connections: Array<{ direction: string, remoteAddr: string, streams: number, multiplexer: string }>, protocols: string[], openStreams: number, streamProtocols: string[], score: number, status: string }

/** True once `node`'s event log holds a disconnect of `peer` with `reason` (waits up to 10 s: events are written in batches). */
async function disconnectedWith (node: SorchaNode, peer: SorchaNode, reason: string): Promise<boolean> {
  const log = (node.libp2p.services as unknown as { eventLog: EventLogService }).eventLog
  for (let tries = 0; tries < 200; tries++) {
    const page = await log.query({ types: ['peer_disconnected'], peerId: peer.peerId.toString(), newestFirst: true, limit: 10 })
    if (page.events.some(e => e.reason === reason)) return true
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return false
}

describe('the Admin API on real nodes (gRPC and REST)', () => {
  let net: TestNetwork
  let boot: SorchaNode
  let node: SorchaNode
  let other: SorchaNode
  let admin: ReturnType<typeof runtimeAdminClient>
  let base: string
  before(async () => {
    // node 2 knows no bootstrap: the admin API dials it.
    net = await startNetwork({ nodes: 2, config: { connections: { min: 1 } }, configFor: i => i === 1 ? { gateway: GATEWAY } : {} })
    ;[boot, node] = net.nodes as [SorchaNode, SorchaNode]
    // Without a bootstrap node and with connections.min 0 it never dials on its own: what connects it is the admin API.
    other = await net.addNode({ bootstrap: [], connections: { min: 0 } })
    admin = runtimeAdminClient(gatewayOf(node).grpcAddress)
    base = gatewayOf(node).restUrl
    await eventually('node is connected to the bootstrap node', () => connectedTo(node, boot))
  })
  after(async () => { admin?.close(); await net?.stop() })

  it('lists connected peers with direction, address, protocols, streams and score, on both transports', async () => {
    await eventually('identify told the peer store the bootstrap node\'s protocols', async () => {
      const [, res] = await unary<{ peers: ConnectedPeer[] }>(admin, 'listConnectedPeers', {})
      return (res?.peers.find(p => p.peerId === boot.peerId.toString())?.protocols.length ?? 0) > 0
    })
    const [err, res] = await unary<{ peers: ConnectedPeer[], outbound: number }>(admin, 'listConnectedPeers', {})
    assert.equal(err, null)
    const peer = res!.peers.find(p => p.peerId === boot.peerId.toString())!
    assert.equal(peer.connections[0]!.direction, 'outbound')
    assert.ok(peer.connections[0]!.remoteAddr.startsWith('/ip4/127.0.0.1/tcp/'))
    assert.equal(peer.connections[0]!.multiplexer, '/yamux/1.0.0')
    assert.ok(peer.protocols.includes('/ipfs/ping/1.0.0'), peer.protocols.join(', '))
    assert.equal(peer.openStreams, peer.streamProtocols.length)
    assert.ok(peer.score >= 0 && peer.score <= 100)
    assert.ok(res!.outbound >= 1)
    const viaRest = await rest<{ peers: ConnectedPeer[] }>(base, 'GET', '/v1/admin/peers')
    assert.equal(viaRest.status, 200)
    assert.deepEqual(viaRest.body.peers.map(p => p.peerId), res!.peers.map(p => p.peerId))
  })

  it('dials a multiaddr (REST), then disconnects it (gRPC) noting the reason admin', async () => {
    assert.equal(connectedTo(node, other), false)
    const dialed = await rest<{ peerId: string, connection: { direction: string } }>(base, 'POST', '/v1/admin/peers/dial', { multiaddr: dialAddrs(other)[0] })
    assert.equal(dialed.status, 200, JSON.stringify(dialed.body))
    assert.deepEqual([dialed.body.peerId, dialed.body.connection.direction], [other.peerId.toString(), 'outbound'])
    assert.equal(connectedTo(node, other), true)

    const [err, res] = await unary<{ connectionsClosed: number }>(admin, 'disconnectPeer', { peerId: other.peerId.toString() })
    assert.equal(err, null)
    assert.ok(res!.connectionsClosed >= 1)
    assert.equal(connectedTo(node, other), false)
    assert.ok(await disconnectedWith(node, other, 'admin'), 'the event log records the disconnect with reason admin')

    // A peer this node never met (the maintainer may redial `other` at any time now).
    const [stranger] = await makePeerIds(1)
    const again = await rest(base, 'POST', `/v1/admin/peers/${stranger!}/disconnect`)
    assert.deepEqual([again.status, again.body.reason], [404, 'peer_not_connected'])
    const [notConnected] = await unary(admin, 'disconnectPeer', { peerId: stranger })
    assert.deepEqual([notConnected?.code, reasonOf(notConnected)], [grpc.status.NOT_FOUND, 'peer_not_connected'])
  })

  it('refuses a malformed multiaddr or peer id and a dial that cannot connect, with a reason', async () => {
    const bad = await rest(base, 'POST', '/v1/admin/peers/dial', { multiaddr: 'not-a-multiaddr' })
    assert.deepEqual([bad.status, bad.body.reason], [400, 'invalid_multiaddr'])
    const [badGrpc] = await unary(admin, 'dialPeer', { multiaddr: '/ip4/127.0.0.1/tcp/notaport' })
    assert.deepEqual([badGrpc?.code, reasonOf(badGrpc)], [grpc.status.INVALID_ARGUMENT, 'invalid_multiaddr'])
    const [self] = await unary(admin, 'dialPeer', { multiaddr: dialAddrs(node)[0] })
    assert.equal(reasonOf(self), 'dial_self')
    // A port nothing listens on: the listener of a stopped node.
    const gone = await net.addNode({ bootstrap: [] })
    const goneAddr = dialAddrs(gone)[0]!
    await gone.stop()
    const [failed] = await unary(admin, 'dialPeer', { multiaddr: goneAddr })
    assert.deepEqual([failed?.code, reasonOf(failed)], [grpc.status.UNAVAILABLE, 'dial_failed'])
    const [badPeer] = await unary(admin, 'banPeer', { peerId: 'nope', reason: '' })
    assert.equal(reasonOf(badPeer), 'invalid_peer_id')
  })

  it('bans (gRPC) with a reason and duration, closing the connection and refusing the peer; unbans (REST)', async () => {
    if (!connectedTo(node, other)) await rest(base, 'POST', '/v1/admin/peers/dial', { multiaddr: dialAddrs(other)[0] })
    assert.equal(connectedTo(node, other), true)
    const [err, res] = await unary<{ peer: { status: string, banReason: string, banCode: string, bannedUntilMs: number }, connectionsClosed: number }>(admin, 'banPeer', { peerId: other.peerId.toString(), reason: 'sent junk', durationMs: 3_600_000 })
    assert.equal(err, null)
    // The operator's words are the ban's text; its reason code is `admin` (docs/security.md).
    assert.deepEqual([res!.peer.status, res!.peer.banReason, res!.peer.banCode], ['PEER_STATUS_BANNED', 'sent junk', 'admin'])
    assert.ok(res!.connectionsClosed >= 1)
    assert.ok(res!.peer.bannedUntilMs > Date.now() + 3_500_000)
    assert.equal(connectedTo(node, other), false)
    assert.ok(await disconnectedWith(node, other, 'banned'), 'the event log records the disconnect with reason banned')
    // The peer list holds the ban (it is persisted with the list): the API's peer view shows it, and the peer cannot get back in.
    const listed = await rest<{ peer: { status: string, banReason: string } }>(base, 'GET', `/v1/peers/${other.peerId.toString()}`)
    assert.deepEqual([listed.body.peer.status, listed.body.peer.banReason], ['PEER_STATUS_BANNED', 'sent junk'])
    // The banned peer's own dial may complete on its side; this node's gater refuses the connection.
    await other.libp2p.dial(node.peerId).catch(() => {})
    await eventually('the banned peer is not connected', () => !connectedTo(node, other))
    const [dialBanned] = await unary(admin, 'dialPeer', { multiaddr: dialAddrs(other)[0] })
    assert.deepEqual([dialBanned?.code, reasonOf(dialBanned)], [grpc.status.FAILED_PRECONDITION, 'peer_banned'])
    const stats = await rest<{ knownPeers: { banned: number } }>(base, 'GET', '/v1/admin/stats')
    assert.equal(stats.body.knownPeers.banned, 1)

    const unbanned = await rest<{ peer: { status: string } }>(base, 'POST', `/v1/admin/peers/${other.peerId.toString()}/unban`)
    assert.equal(unbanned.status, 200)
    assert.notEqual(unbanned.body.peer.status, 'PEER_STATUS_BANNED')
    const twice = await rest(base, 'POST', `/v1/admin/peers/${other.peerId.toString()}/unban`)
    assert.deepEqual([twice.status, twice.body.reason], [404, 'peer_not_banned'])
    const dialed = await rest(base, 'POST', '/v1/admin/peers/dial', { multiaddr: dialAddrs(other)[0] })
    assert.equal(dialed.status, 200, 'an unbanned peer can be dialled again')
    assert.equal(connectedTo(node, other), true)
  })

  it('refuses a ban with a bad duration or reason, and a ban of the node itself', async () => {
    const long = await rest(base, 'POST', `/v1/admin/peers/${other.peerId.toString()}/ban`, { reason: 'x', durationMs: 1e15 })
    assert.deepEqual([long.status, long.body.reason], [400, 'invalid_duration'])
    const control = await rest(base, 'POST', `/v1/admin/peers/${other.peerId.toString()}/ban`, { reason: 'a\nb' })
    assert.deepEqual([control.status, control.body.reason], [400, 'invalid_reason'])
    const self = await rest(base, 'POST', `/v1/admin/peers/${node.peerId.toString()}/ban`, {})
    assert.deepEqual([self.status, self.body.reason], [400, 'ban_self'])
  })

  it('changes a subsystem\'s log level at run time (REST) and reads it back (gRPC)', async () => {
    // As `sorcha-peer start` does: levels follow the installed root (lines are dropped here).
    configureLogging({ level: 'warn', format: 'json', destination: new Writable({ write (_chunk, _encoding, done) { done() } }) })
    const log = logger('sorcha:gossip:admin-test')
    assert.equal(log.level, 'warn')
    const set = await rest<{ subsystems: Array<{ subsystem: string, level: string }> }>(base, 'POST', '/v1/admin/log-level', { level: 'debug', subsystem: 'sorcha:gossip' })
    assert.equal(set.status, 200)
    assert.deepEqual(set.body.subsystems, [{ subsystem: 'sorcha:gossip', level: 'debug' }])
    assert.equal(log.level, 'debug', 'a logger made before the change follows it')
    const [, levels] = await unary<{ global: string, subsystems: unknown[] }>(admin, 'getLogLevels', {})
    assert.deepEqual(levels!.subsystems, [{ subsystem: 'sorcha:gossip', level: 'debug' }])
    const [badLevel] = await unary(admin, 'setLogLevel', { level: 'loud', subsystem: '' })
    assert.equal(reasonOf(badLevel), 'invalid_log_level')
    const badSubsystem = await rest(base, 'POST', '/v1/admin/log-level', { level: 'info', subsystem: 'gossip' })
    assert.deepEqual([badSubsystem.status, badSubsystem.body.reason], [400, 'invalid_subsystem'])
    const reset = await rest<{ subsystems: unknown[] }>(base, 'POST', '/v1/admin/log-level', { level: 'default', subsystem: 'sorcha:gossip' })
    assert.deepEqual(reset.body.subsystems, [])
    assert.equal(log.level, levels!.global)
  })

  it('the client library makes every admin call over gRPC and over REST', async () => {
    for (const transport of ['grpc-unary', 'rest'] as const) {
      const client = new SorchaClient({ endpoints: { grpc: gatewayOf(node).grpcAddress, rest: base }, transports: [transport], maxAttempts: 1 })
      try {
        const peers = await client.listConnectedPeers()
        assert.ok(peers.peers.some(p => p.peerId === boot.peerId.toString()), transport)
        assert.equal((await client.adminNodeInfo()).peerId, node.peerId.toString())
        assert.ok((await client.stats()).connectedPeers >= 1)
        const set = await client.setLogLevel('trace', 'sorcha:nat')
        assert.deepEqual(set.subsystems, [{ subsystem: 'sorcha:nat', level: 'trace' }])
        assert.deepEqual((await client.logLevels()).subsystems, set.subsystems)
        await client.setLogLevel('default', 'sorcha:nat')
        const [stranger] = await makePeerIds(1)
        const banned = await client.banPeer(stranger!, { reason: `via ${transport}`, durationMs: 60_000 })
        assert.deepEqual([banned.peer?.status, banned.peer?.banReason, banned.connectionsClosed], [PeerStatus.PEER_STATUS_BANNED, `via ${transport}`, 0])
        assert.notEqual((await client.unbanPeer(stranger!)).peer?.status, PeerStatus.PEER_STATUS_BANNED)
        await assert.rejects(client.unbanPeer(stranger!), { name: 'NotFoundError', reason: 'peer_not_banned' })
        await assert.rejects(client.disconnectPeer(stranger!), { name: 'NotFoundError', reason: 'peer_not_connected' })
        await assert.rejects(client.dialPeer('/dns4/'), { name: 'InvalidArgumentError', reason: 'invalid_multiaddr' })
      } finally {
        client.close()
      }
    }
  })

  it('answers node info with addresses, NAT type and reachability, and statistics', async () => {
    const [err, info] = await unary<{ peerId: string, addresses: string[], listenAddresses: string[], natType: string, reachability: string, connectivity: { state: string } }>(admin, 'getAdminNodeInfo', {})
    assert.equal(err, null)
    assert.equal(info!.peerId, node.peerId.toString())
    assert.deepEqual(info!.addresses, dialAddrs(node))
    assert.deepEqual(info!.listenAddresses, ['/ip4/127.0.0.1/tcp/0'])
    assert.ok(info!.natType !== '' && ['public', 'private', 'unknown'].includes(info!.reachability))
    assert.equal(info!.connectivity.state, 'CONNECTIVITY_STATE_ONLINE')
    const [, stats] = await unary<{ connectedPeers: number, gossip: { strategy: string }, store: { transactions: number }, queue: { maxDepth: number }, knownPeers: { known: number }, peersByProtocol: Array<{ protocol: string, peers: number }> }>(admin, 'getStats', {})
    assert.equal(stats!.connectedPeers, new Set(node.libp2p.getConnections().map(c => c.remotePeer.toString())).size)
    assert.equal(stats!.gossip.strategy, node.config.gossip.strategy)
    assert.ok(stats!.queue.maxDepth > 0)
    assert.ok(stats!.knownPeers.known >= 2)
    assert.ok(stats!.peersByProtocol.some(p => p.protocol === '/ipfs/ping/1.0.0' && p.peers >= 1))
  })
})

describe('a ban made through the Admin API survives a restart of the node', () => {
  let net: TestNetwork
  after(async () => { await net?.stop() })

  it('BanPeer, stop, start on the same data directory: the peer is still banned with its reason and end', async () => {
    net = await startNetwork({ nodes: 1, config: { gateway: GATEWAY } })
    const [stranger] = await makePeerIds(1)
    const first = net.nodes[0]!
    const banned = await rest<{ peer: { bannedUntilMs: number } }>(gatewayOf(first).restUrl, 'POST', `/v1/admin/peers/${stranger!}/ban`, { reason: 'flooding', durationMs: 86_400_000 })
    assert.equal(banned.status, 200)
    await first.stop()
    const again = await net.createNode('node-0', { gateway: GATEWAY })
    try {
      await again.start()
      assert.equal(again.peerId.toString(), first.peerId.toString(), 'the same node')
      const peer = await rest<{ peer: { status: string, banReason: string, bannedUntilMs: number } }>(gatewayOf(again).restUrl, 'GET', `/v1/peers/${stranger!}`)
      assert.deepEqual([peer.body.peer.status, peer.body.peer.banReason, peer.body.peer.bannedUntilMs], ['PEER_STATUS_BANNED', 'flooding', banned.body.peer.bannedUntilMs])
    } finally {
      await again.stop()
    }
  })
})

describe('the admin access rule', () => {
  let net: TestNetwork
  let open: SorchaNode
  let tokened: SorchaNode
  const local = (address: string): string => address.replace('0.0.0.0', '127.0.0.1')
  before(async () => {
    // Listening on every interface, as a container does; the tests still talk to 127.0.0.1 only.
    const everywhere = { ...GATEWAY, grpc: { host: '0.0.0.0', port: 0 }, rest: { host: '0.0.0.0', port: 0 } }
    // Node 0 is open on purpose (gateway.allowInsecure): without it the node would refuse to start.
    net = await startNetwork({ nodes: 2, bootstrap: 'none', configFor: i => ({ gateway: i === 0 ? { ...everywhere, allowInsecure: true } : { ...everywhere, token: 'admin-test-token' } }) })
    ;[open, tokened] = net.nodes as [SorchaNode, SorchaNode]
  })
  after(async () => { await net?.stop() })

  it('a non-loopback listener without a token refuses every admin call (gRPC and REST) naming gateway.token; the app API still answers', async () => {
    const client = runtimeAdminClient(local(gatewayOf(open).grpcAddress))
    try {
      for (const [method, request] of [['listConnectedPeers', {}], ['getLogLevels', {}], ['banPeer', { peerId: tokened.peerId.toString() }], ['getStats', {}]] as const) {
        const [err] = await unary(client, method, request)
        assert.deepEqual([err?.code, reasonOf(err)], [grpc.status.PERMISSION_DENIED, 'admin_needs_token'], method)
        assert.match(err!.details, /^admin calls are refused: the API listens on 0\.0\.0\.0 \(gateway\.grpc\.host\), reachable from other machines, without an API token; set gateway\.token \(SORCHA_GATEWAY_TOKEN\) or listen on 127\.0\.0\.1$/)
      }
    } finally {
      client.close()
    }
    const base = local(gatewayOf(open).restUrl)
    for (const [method, path] of [['GET', '/v1/admin/peers'], ['POST', '/v1/admin/log-level'], ['GET', '/v1/admin/node']] as const) {
      const res = await rest<{ code: string, reason: string, detail: string }>(base, method, path, method === 'POST' ? { level: 'trace' } : undefined)
      assert.deepEqual([res.status, res.body.code, res.body.reason], [403, 'PERMISSION_DENIED', 'admin_needs_token'], path)
      assert.match(res.body.detail, /listens on 0\.0\.0\.0 \(gateway\.rest\.host\).*set gateway\.token/)
    }
    const info = await rest(base, 'GET', '/v1/node')
    assert.equal(info.status, 200)
    for (const transport of ['grpc-unary', 'rest'] as const) {
      const client = new SorchaClient({ endpoints: { grpc: local(gatewayOf(open).grpcAddress), rest: base }, transports: [transport], maxAttempts: 1 })
      try {
        await assert.rejects(client.stats(), { name: 'PermissionDeniedError', reason: 'admin_needs_token' }, transport)
      } finally {
        client.close()
      }
    }
  })

  it('with a token, admin calls on a non-loopback listener need it and work with it', async () => {
    const base = local(gatewayOf(tokened).restUrl)
    const without = await rest(base, 'GET', '/v1/admin/node')
    assert.deepEqual([without.status, without.body.code], [401, 'UNAUTHENTICATED'])
    const withToken = await rest<{ peerId: string }>(base, 'GET', '/v1/admin/node', undefined, 'admin-test-token')
    assert.deepEqual([withToken.status, withToken.body.peerId], [200, tokened.peerId.toString()])
    const client = runtimeAdminClient(local(gatewayOf(tokened).grpcAddress))
    try {
      const metadata = new grpc.Metadata()
      metadata.set('authorization', 'Bearer admin-test-token')
      const [err, res] = await unary<{ peers: unknown[] }>(client, 'listConnectedPeers', {}, { metadata })
      assert.equal(err, null)
      assert.deepEqual(res!.peers, [])
    } finally {
      client.close()
    }
  })
})
