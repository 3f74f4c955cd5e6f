/**
 * The connectivity service on real nodes (TCP on 127.0.0.1): the state follows the node's peers,
 * offline mode closes and refuses connections, pauses health checks and discovery, survives a
 * restart, and resume reconnects at once.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import type { Topology } from '../../src/discovery/index.ts'
import { dialAddrs, startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import type { HealthMonitor } from '../../src/health/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import type { PeerList } from '../../src/peers/types.ts'
import type { ConnectivityChange, ConnectivityService } from '../../src/queue/connectivity-service.ts'

const connectivityOf = (node: SorchaNode): ConnectivityService => (node.libp2p.services as unknown as { connectivity: ConnectivityService }).connectivity
const topologyOf = (node: SorchaNode): Topology => (node.libp2p.services as unknown as { topology: Topology }).topology
const peerListOf = (node: SorchaNode): PeerList => (node.libp2p.services as unknown as { peerList: PeerList }).peerList
const healthOf = (node: SorchaNode): HealthMonitor => (node.libp2p.services as unknown as { health: HealthMonitor }).health

/** Polls until `check` holds; fails with `what` after `timeoutMs` (generous: CI machines are slow). */
async function eventually (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** Records a node's transitions as `from>to:reason`. */
function record (node: SorchaNode): string[] {
  const seen: string[] = []
  connectivityOf(node).addEventListener('connectivity:change', (event: CustomEvent<ConnectivityChange>) => {
    seen.push(`${event.detail.from}>${event.detail.to}:${event.detail.reason}`)
  })
  return seen
}

const portOf = (node: SorchaNode): number => Number(multiaddr(dialAddrs(node)[0]!).getComponents().find(c => c.name === 'tcp')?.value)
// Fast bootstrap retries, one connection is enough to be online, and health rounds out of the way.
const FAST = { connections: { min: 1 }, discovery: { bootstrapBackoffInitialMs: 50, bootstrapBackoffMaxMs: 200 } }

describe('connectivity on real nodes', () => {
  const nets: TestNetwork[] = []
  after(async () => { await Promise.all(nets.map(async n => n.stop())) })

  it('follows the peers: offline alone, online with a peer, connecting when it leaves, online when it returns', async () => {
    const net = await startNetwork({ nodes: 1, bootstrap: 'none', config: FAST })
    nets.push(net)
    const boot = net.nodes[0]!
    const port = portOf(boot)
    assert.equal(connectivityOf(boot).state, 'offline', 'a bootstrap node that knows nobody has nothing to dial')
    assert.equal(connectivityOf(boot).reason, 'node_started')
    const bootSeen = record(boot)

    const joiner = await net.createNode('joiner', { ...FAST, bootstrap: dialAddrs(boot) })
    const seen = record(joiner)
    await joiner.start()
    net.nodes.push(joiner)
    await eventually('the joiner is online', () => connectivityOf(joiner).state === 'online')
    await eventually('the bootstrap node is online', () => connectivityOf(boot).state === 'online')
    assert.deepEqual(bootSeen, ['offline>online:peer_connected'])
    assert.deepEqual(seen, ['offline>connecting:node_started', 'connecting>online:peer_connected'])
    assert.equal(connectivityOf(joiner).usable, true)

    await boot.stop()
    await eventually('the joiner is connecting again', () => connectivityOf(joiner).state === 'connecting')
    assert.equal(seen.at(-1), 'online>connecting:peer_disconnected')
    assert.equal(connectivityOf(joiner).usable, false)

    const back = await net.createNode('node-0', { ...FAST, listen: [`/ip4/127.0.0.1/tcp/${port}`] })
    net.nodes.push(back)
    await back.start()
    assert.equal(back.peerId.toString(), boot.peerId.toString(), 'the same node, from its data directory')
    await eventually('the joiner is back online', () => connectivityOf(joiner).state === 'online')
    assert.equal(seen.at(-1), 'connecting>online:peer_connected')
    assert.deepEqual(connectivityOf(joiner).status(), { ...connectivityOf(joiner).status(), state: 'online', reason: 'peer_connected', note: '', minConnections: 1 })
  })

  it('a node whose only peer is not a bootstrap peer goes offline once that peer is not worth dialling', async () => {
    // health.failureThreshold 1: one failed redial makes the departed peer UNREACHABLE, which topology does not dial.
    const cfg = { ...FAST, health: { failureThreshold: 1, removeAfterFailures: 50 } }
    const net = await startNetwork({ nodes: 2, bootstrap: 'none', config: cfg })
    nets.push(net)
    const [a, b] = net.nodes as [SorchaNode, SorchaNode]
    const seen = record(a)
    await a.libp2p.dial(multiaddr(dialAddrs(b)[0]!))
    await eventually('a is online', () => connectivityOf(a).state === 'online')
    await eventually('a has b in its peer list', async () => (await peerListOf(a).get(b.peerId.toString()))?.addresses.length !== 0 && (await peerListOf(a).get(b.peerId.toString())) !== undefined)
    await b.stop()
    await eventually('a is offline', () => connectivityOf(a).state === 'offline')
    assert.deepEqual(seen, ['offline>online:peer_connected', 'online>connecting:peer_disconnected', 'connecting>offline:nothing_to_dial'])
  })

  it('suspend closes every connection and refuses dials both ways; resume reconnects at once', async () => {
    const net = await startNetwork({ nodes: 2, config: FAST })
    nets.push(net)
    const [boot, node] = net.nodes as [SorchaNode, SorchaNode]
    await eventually('the node is online', () => connectivityOf(node).state === 'online')
    const seen = record(node)
    const readiness: boolean[] = []
    node.probes.addEventListener('readiness:change', event => { readiness.push(event.detail.ready) })

    const status = await connectivityOf(node).suspend('maintenance window')
    assert.equal(status.state, 'suspended')
    assert.equal(status.reason, 'operator_suspend')
    assert.equal(status.note, 'maintenance window')
    assert.equal(status.connectedPeers, 0, 'suspend resolves once every connection is closed')
    assert.deepEqual(seen, ['online>suspended:operator_suspend'])
    assert.equal(node.libp2p.getConnections().length, 0)
    assert.deepEqual(node.probes.readiness().checks.peers, { ok: false, detail: 'suspended by the operator' })
    assert.deepEqual(readiness, [false])
    assert.equal(healthOf(node).snapshot().suspended, true)
    assert.equal(topologyOf(node).suspended, true)

    // libp2p's dial returns a connection it still holds: wait until the peer has seen the close.
    await eventually('the bootstrap node sees its connection closed', () => boot.libp2p.getConnections(node.peerId).length === 0)
    await assert.rejects(boot.libp2p.dial(node.peerId), 'the suspended node refuses a peer\'s dial')
    await assert.rejects(node.libp2p.dial(multiaddr(dialAddrs(boot)[0]!)), 'and dials nobody')
    assert.equal(node.libp2p.getConnections().length, 0)
    assert.equal(connectivityOf(node).state, 'suspended')
    const again = await connectivityOf(node).suspend('second note')
    assert.equal(again.note, 'maintenance window', 'a second suspend changes nothing')

    const resumed = await connectivityOf(node).resume()
    assert.notEqual(resumed.state, 'suspended')
    assert.equal(seen[1], 'suspended>connecting:operator_resume')
    assert.equal(topologyOf(node).suspended, false)
    assert.equal(healthOf(node).snapshot().suspended, false)
    await eventually('the node reconnects by itself', () => connectivityOf(node).state === 'online')
    assert.deepEqual(seen, ['online>suspended:operator_suspend', 'suspended>connecting:operator_resume', 'connecting>online:peer_connected'])
    assert.equal(node.probes.readiness().ready, true)
    assert.deepEqual(readiness, [false, true])
  })

  it('resume forgets the back-off: a node that had given up on its bootstrap peer for minutes dials it at once', async () => {
    // Ten minutes before the first retry: only a fresh maintainer reconnects within the test's time.
    const slow = { connections: { min: 1 }, discovery: { bootstrapBackoffInitialMs: 600_000, bootstrapBackoffMaxMs: 1_200_000 } }
    const net = await startNetwork({ nodes: 2, config: slow })
    nets.push(net)
    const [boot, node] = net.nodes as [SorchaNode, SorchaNode]
    const port = portOf(boot)
    await eventually('the node is online', () => connectivityOf(node).state === 'online')
    await boot.stop()
    await eventually('a redial of the bootstrap node has failed', () => Object.values(topologyOf(node).snapshot().bootstrap).some(b => b.attempts >= 1))
    const [earned] = Object.values(topologyOf(node).snapshot().bootstrap)
    assert.ok(earned!.nextAt > Date.now() + 60_000, 'the next redial was minutes away')
    await connectivityOf(node).suspend()
    const back = await net.createNode('node-0', { ...slow, listen: [`/ip4/127.0.0.1/tcp/${port}`] })
    net.nodes.push(back)
    await back.start()
    await connectivityOf(node).resume()
    await eventually('the node reconnects to the returned bootstrap node', () => node.libp2p.getConnections(back.peerId).length > 0)
    await eventually('the node is online', () => connectivityOf(node).state === 'online')
  })

  it('a suspension survives a restart, with its note, until resume', async () => {
    const net = await startNetwork({ nodes: 1, config: FAST })
    nets.push(net)
    const boot = net.nodes[0]!
    const first = await net.createNode('kept', { ...FAST, bootstrap: dialAddrs(boot) })
    await first.start()
    await eventually('online', () => connectivityOf(first).state === 'online')
    await connectivityOf(first).suspend('disk swap')
    const { sinceMs } = connectivityOf(first).status()
    await first.stop()

    const node = await net.createNode('kept', { ...FAST, bootstrap: dialAddrs(boot) })
    net.nodes.push(node)
    await node.start()
    const status = connectivityOf(node).status()
    assert.deepEqual([status.state, status.reason, status.note, status.sinceMs], ['suspended', 'operator_suspend', 'disk swap', sinceMs])
    assert.equal(node.probes.readiness().ready, false)
    await assert.rejects(boot.libp2p.dial(node.peerId), 'still refusing peers after the restart')
    assert.equal(node.libp2p.getConnections().length, 0)
    await connectivityOf(node).resume()
    await eventually('online after resume', () => connectivityOf(node).state === 'online')

    // Resumed is persisted too: the next start is not suspended.
    await node.stop()
    const third = await net.createNode('kept', { ...FAST, bootstrap: dialAddrs(boot) })
    net.nodes.push(third)
    await third.start()
    assert.notEqual(connectivityOf(third).state, 'suspended')
    await eventually('online after the third start', () => connectivityOf(third).state === 'online')
  })
})
