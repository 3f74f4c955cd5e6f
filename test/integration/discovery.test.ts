import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import type { PeerList } from '../../src/peers/types.ts'
import type { Topology } from '../../src/discovery/index.ts'

const peerList = (node: SorchaNode): PeerList => (node.libp2p.services as unknown as { peerList: PeerList }).peerList
const topologyOf = (node: SorchaNode): Topology => (node.libp2p.services as unknown as { topology: Topology }).topology
const connectedTo = (node: SorchaNode, other: SorchaNode): boolean => node.libp2p.getConnections(other.peerId).length > 0

/**
 * Polls until `check` holds; fails with `what` after `timeoutMs` without progress. `progress` (when
 * given) measures how far the network has come: each time it grows the wait starts again, so a loaded
 * machine that runs discovery rounds slowly passes as long as they keep converging, and a network
 * that stopped converging still fails.
 */
async function eventually (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000, progress?: () => number): Promise<void> {
  let deadline = Date.now() + timeoutMs
  let reached = progress?.() ?? 0
  while (!(await check())) {
    const now = progress?.() ?? reached
    if (now > reached) { reached = now; deadline = Date.now() + timeoutMs }
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}${progress === undefined ? '' : ` (no progress for ${timeoutMs / 1000} s at ${reached})`}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

describe('discovery', () => {
  const nets: TestNetwork[] = []
  after(async () => { await Promise.all(nets.map(async n => n.stop())) })

  it('two nodes find each other through a bootstrap node', async () => {
    const net = await startNetwork({ nodes: 3 })
    nets.push(net)
    const [boot, a, b] = net.nodes as [SorchaNode, SorchaNode, SorchaNode]
    await eventually('both joiners are connected to the bootstrap node', () => connectedTo(a, boot) && connectedTo(b, boot))
    await eventually('each joiner has the other in its peer list', async () =>
      (await peerList(a).get(b.peerId.toString())) !== undefined && (await peerList(b).get(a.peerId.toString())) !== undefined)
    // Below the connection target (8), each dials the peers it learned of.
    await eventually('the joiners connect directly', () => connectedTo(a, b))
    assert.ok(topologyOf(a).snapshot().discoveryRounds >= 1)
  })

  it('20 nodes: every node knows at least 15 peers', async () => {
    const net = await startNetwork({ nodes: 20, startConcurrency: 20 })
    nets.push(net)
    const known = (): number => net.nodes.reduce((sum, n) => sum + Math.min(15, peerList(n).size()), 0)
    await eventually('every node knows >= 15 peers', () => net.nodes.every(n => peerList(n).size() >= 15), 60_000, known)
    for (const node of net.nodes) assert.ok(node.libp2p.getConnections().length > 0, 'no node is isolated')
  })

  it('a restarted node reconnects from its persisted list while the bootstrap node is down', async () => {
    const net = await startNetwork({ nodes: 4 })
    nets.push(net)
    const [boot, ...others] = net.nodes as [SorchaNode, ...SorchaNode[]]
    const node = await net.createNode('restarter', { bootstrap: net.bootstrapAddrs })
    await node.start()
    await eventually('the restarter knows the other nodes', async () => {
      for (const other of others) if ((await peerList(node).get(other.peerId.toString())) === undefined) return false
      return true
    })
    await node.stop()
    await boot.stop()
    const again = await net.createNode('restarter', { bootstrap: net.bootstrapAddrs })
    net.nodes.push(again)
    await again.start()
    await eventually('the restarted node is connected to a non-bootstrap peer', () => others.some(o => connectedTo(again, o)))
    assert.ok(!connectedTo(again, boot))
    assert.ok((topologyOf(again).snapshot().bootstrap[boot.peerId.toString()]?.attempts ?? 0) >= 1, 'it did try the bootstrap node')
  })
})
