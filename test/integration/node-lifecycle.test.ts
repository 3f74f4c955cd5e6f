import assert from 'node:assert/strict'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { dialAddrs, startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import { IDENTITY_FILE } from '../../src/node/identity.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import { ConnectionWatch, muxerPing } from '../../src/health/connection-watch.ts'
import { libp2pPing, type PingService } from '../../src/health/ping.ts'

describe('node lifecycle', () => {
  let net: TestNetwork | undefined
  after(async () => { await net?.stop() })

  it('starts real nodes that connect over TCP with Noise and Yamux', async () => {
    net = await startNetwork({ nodes: 2, bootstrap: 'none' })
    const [a, b] = net.nodes as [NonNullable<typeof net.nodes[0]>, NonNullable<typeof net.nodes[0]>]
    const connection = await a.libp2p.dial(multiaddr(dialAddrs(b)[0]!))
    assert.equal(connection.remotePeer.toString(), b.peerId.toString())
    assert.equal(connection.encryption, '/noise')
    assert.equal(connection.multiplexer, '/yamux/1.0.0')
    const rtt = await (a.libp2p.services as { ping: { ping: (p: unknown) => Promise<number> } }).ping.ping(b.peerId)
    assert.ok(rtt >= 0)
  })

  it('lets two pingers (the health monitor, a remote\'s connection monitor) ping one connection at the same time', async () => {
    const [a, b] = net!.nodes as [SorchaNode, SorchaNode]
    const connection = a.libp2p.getConnections(b.peerId)[0]!
    const { ping } = a.libp2p.services as { ping: { ping: (p: unknown) => Promise<number> } }
    // The health monitor's ping and the connection monitor's stream, opened together (each side's
    // limit of one outbound ping stream refused the second, and the monitor then aborted the connection).
    const monitorStream = connection.newStream('/ipfs/ping/1.0.0')
    const rtt = await ping.ping(b.peerId)
    const stream = await monitorStream
    await stream.close()
    assert.ok(rtt >= 0)
    assert.equal(connection.status, 'open')
    assert.deepEqual(a.libp2p.getConnections(b.peerId).map(c => c.id), [connection.id])
  })

  it('a health ping given up before its answer leaves the connection open', async () => {
    const [a, b] = net!.nodes as [SorchaNode, SorchaNode]
    const connection = a.libp2p.getConnections(b.peerId)[0]!
    const ping = libp2pPing(() => a.libp2p.services.ping as PingService, id => a.libp2p.getConnections(id))
    const peer = { peerId: b.peerId.toString(), addresses: [] }
    // Given up at once, before the answer can come; the answer then arrives (a Yamux ping handed the
    // signal would have forgotten it, and taken the late answer as a protocol error).
    const given = new AbortController()
    const pending = ping(peer, { signal: given.signal })
    given.abort()
    await assert.rejects(pending)
    assert.ok(await ping(peer, { signal: AbortSignal.timeout(60_000) }) >= 0)
    assert.ok(await ping(peer, { signal: AbortSignal.timeout(60_000) }) >= 0)
    assert.equal(connection.status, 'open')
    assert.deepEqual(a.libp2p.getConnections(b.peerId).map(c => c.id), [connection.id])
  })

  it('finds a dead connection with Yamux pings: an answering peer keeps it, a silent one loses it', async () => {
    const [a, b] = net!.nodes as [SorchaNode, SorchaNode]
    const connection = a.libp2p.getConnections(b.peerId)[0]!
    assert.notEqual(muxerPing(connection), undefined, 'a real connection\'s muxer has no ping')
    assert.deepEqual(await new ConnectionWatch({ connectionManager: a.libp2p }, { timeoutMs: 30_000 }).round(), [])
    assert.equal(connection.status, 'open')
    assert.ok(typeof connection.rtt === 'number' && connection.rtt >= 0)
    // b's muxer stops answering pings, as a frozen process's would; everything else still works.
    const remote = b.libp2p.getConnections(a.peerId).find(c => c.remotePeer.equals(a.peerId)) as unknown as { muxer: { handlePing: () => void } }
    remote.muxer.handlePing = () => {}
    assert.deepEqual(await new ConnectionWatch({ connectionManager: a.libp2p }, { timeoutMs: 300 }).round(), [connection.id])
    assert.notEqual(connection.status, 'open')
  })

  it('keeps its identity across restarts, in a 0600 key file', async () => {
    const node = await net!.createNode('restart')
    assert.equal(node.identityCreated, true)
    await node.start()
    await node.start() // idempotent
    const id = node.peerId.toString()
    await node.stop()
    await node.stop() // idempotent
    const mode = (await stat(join(node.config.dataDir, IDENTITY_FILE))).mode & 0o777
    assert.equal(mode, 0o600)
    const again = await net!.createNode('restart')
    assert.equal(again.identityCreated, false)
    assert.equal(again.peerId.toString(), id)
    await again.start()
    assert.ok(again.isStarted)
    await again.stop()
    assert.ok(!again.isStarted)
  })
})
