/**
 * Finding the peers that serve a register (issue 20) on 12 real nodes serving overlapping subsets of 4
 * registers: FindPeersForRegister over the real gRPC and REST clients returns exactly the serving
 * peers, from the peer list (records carried by peer exchange) and with the DHT's provider records;
 * an admin call that changes a node's set at run time is seen by the others.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { SorchaClient } from '../../../src/client/index.ts'
import { startGateway, type Gateway } from '../../../src/gateway/index.ts'
import { startNetwork, type TestNetwork } from '../../../src/harness/index.ts'
import type { SorchaNode } from '../../../src/node/sorcha-node.ts'
import type { PeerList } from '../../../src/peers/types.ts'
import { rest, runtimeAdminClient } from '../../helpers/admin-clients.ts'
import { unary, until } from '../../helpers/api-clients.ts'

const REGISTERS = ['reg-a', 'reg-b', 'reg-c', 'reg-d']
/** Node i serves SERVES[i]: every register by several nodes, every pair of nodes overlapping somewhere else. */
const SERVES = [
  ['reg-a', 'reg-b'], ['reg-b', 'reg-c'], ['reg-c', 'reg-d'], ['reg-d', 'reg-a'], ['reg-a', 'reg-c'], ['reg-b', 'reg-d'],
  ['reg-a'], ['reg-b'], ['reg-c'], ['reg-d'], ['reg-a', 'reg-b', 'reg-c'], ['reg-b', 'reg-c', 'reg-d']
]
/** The nodes that query (with a gateway), and the one whose set the operator changes (it queries the DHT first). */
const Q1 = 1
const CHANGED = 6
const Q2 = CHANGED
const DEGREE = 3

const sorted = (ids: Iterable<string>): string[] => [...ids].sort()

describe('FindPeersForRegister on 12 nodes serving overlapping subsets of 4 registers', () => {
  let net: TestNetwork
  let nodes: SorchaNode[]
  const gateways = new Map<number, Gateway>()
  /** The peer ids serving `registerId` according to `serves`, without `self`. */
  const expected = (registerId: string, self: number, serves = SERVES): string[] =>
    sorted(nodes.filter((_, i) => i !== self && serves[i]!.includes(registerId)).map(n => n.peerId.toString()))
  const listOf = (node: SorchaNode): PeerList => (node.libp2p.services as unknown as { peerList: PeerList }).peerList
  /** What a node's peer list says serves `registerId` (the same rule as the API, without a limit). */
  const servingIn = (node: SorchaNode, registerId: string): string[] =>
    sorted(listOf(node).snapshot().filter(p => p.capabilities?.registers.includes(registerId) === true).map(p => p.peerId))
  /** Where the views of nodes `of` differ from `serves`: each wrong record as its holder sees it, with its connections (for a timeout's error). */
  const wrongViews = (of: number[], serves = SERVES): string => {
    const index = new Map(nodes.map((n, j) => [n.peerId.toString(), j]))
    return of.flatMap(i => listOf(nodes[i]!).snapshot().flatMap(p => {
      const j = index.get(p.peerId)
      const has = sorted(p.capabilities?.registers ?? []).join()
      if (j === undefined || j === i || has === sorted(serves[j]!).join()) return []
      return [`node ${i} sees node ${j} serving [${has}] (want [${sorted(serves[j]!).join()}]; lastSeen ${p.lastSeenMs}, source ${p.source}, connected ${nodes[i]!.libp2p.getConnections(nodes[j]!.peerId).length})`]
    })).join('; ') || `no wrong record among nodes ${of.join()}`
  }

  before(async () => {
    net = await startNetwork({
      nodes: SERVES.length,
      // Kademlia's first self-query 0.5-1 s after start (DHT queries wait for it), gateways started below.
      // Two connections are the general target: the rest of each node's connections come from its
      // registers' degree (topology.registerDegree, 3 here), and its records of unconnected peers from hearsay.
      config: { connections: { min: 2 }, topology: { registerDegree: DEGREE }, discovery: { intervalMs: 1_000 }, gateway: { grpc: { port: 0 }, rest: { port: 0 }, rateLimit: { perSecond: 0 } } },
      configFor: i => ({ gossip: { registers: SERVES[i]! } })
    })
    nodes = net.nodes
    for (const i of new Set([Q1, Q2, CHANGED])) gateways.set(i, await startGateway(nodes[i]!, { config: { ...nodes[i]!.config.gateway, enabled: true } }))
    // Every node's list learns every other node's record: firsthand from its neighbours, hearsay beyond.
    await until(() => nodes.every((node, i) => REGISTERS.every(r => servingIn(node, r).join() === expected(r, i).join())), 100, undefined, () => wrongViews(nodes.map((_, i) => i)))
  })
  after(async () => {
    await Promise.all([...gateways.values()].map(async g => g.stop()))
    await net?.stop()
  })

  // In a network this small (under Kademlia's bucket size) kad-dht's self-query connects most nodes
  // anyway, so this holds with or without the degree's dials; the core's own decisions are unit-tested
  // (test/unit/protocols/topology-registers.test.ts). It guards against the register dials undoing it.
  it('keeps, for each register a node serves, connections to registerDegree peers serving it', async () => {
    const short = (): string[] => nodes.flatMap((node, i) => SERVES[i]!.flatMap(r => {
      const servers = nodes.filter((_, j) => j !== i && SERVES[j]!.includes(r))
      const linked = servers.filter(s => node.libp2p.getConnections(s.peerId).length > 0).length
      return linked >= Math.min(DEGREE, servers.length) ? [] : [`node ${i} ${r}: ${linked}`]
    }))
    await until(() => short().length === 0, 100)
    assert.deepEqual(short(), [])
  })

  it('answers exactly the serving peers from the peer list, over gRPC and over REST', async () => {
    const g = gateways.get(Q1)!
    const viaGrpc = new SorchaClient({ endpoints: { grpc: g.grpcAddress }, transports: ['grpc-unary'] })
    const viaRest = new SorchaClient({ endpoints: { rest: g.restUrl }, transports: ['rest'] })
    try {
      for (const registerId of REGISTERS) {
        const want = expected(registerId, Q1)
        assert.deepEqual(sorted((await viaGrpc.findPeersForRegister(registerId)).peers.map(p => p.peerId)), want, `gRPC ${registerId}`)
        assert.deepEqual(sorted((await viaRest.findPeersForRegister(registerId)).peers.map(p => p.peerId)), want, `REST ${registerId}`)
      }
      assert.deepEqual((await viaGrpc.findPeersForRegister('reg-nobody')).peers, [], 'a register nobody serves')
      const info = await viaRest.nodeInfo()
      assert.deepEqual(info.registers, SERVES[Q1])
    } finally {
      viaGrpc.close()
      viaRest.close()
    }
  })

  it('answers the same with the DHT\'s provider records, each node providing the registers it serves', async () => {
    const g = gateways.get(Q2)!
    const viaGrpc = new SorchaClient({ endpoints: { grpc: g.grpcAddress }, transports: ['grpc-unary'], timeoutMs: 30_000 })
    const viaRest = new SorchaClient({ endpoints: { rest: g.restUrl }, transports: ['rest'], timeoutMs: 30_000 })
    try {
      for (const [i, node] of nodes.entries()) {
        const topology = (node.libp2p.services as unknown as { topology: { providedRegisters: () => string[] } }).topology
        assert.deepEqual(topology.providedRegisters(), sorted(SERVES[i]!))
      }
      const dht = (nodes[Q2]!.libp2p.services as unknown as { topology: { findRegisterProviders: (r: string, o: { signal: AbortSignal }) => Promise<string[]> } }).topology
      for (const registerId of REGISTERS) {
        const want = expected(registerId, Q2)
        // Provider records are stored by the lookups the nodes ran after start; wait for them to land.
        // The DHT alone names exactly the serving peers...
        await until(async () => sorted(await dht.findRegisterProviders(registerId, { signal: AbortSignal.timeout(10_000) })).join() === want.join(), 200)
        // ...and the API's answer with it is the same.
        assert.deepEqual(sorted((await viaGrpc.findPeersForRegister(registerId, 0, { includeDht: true })).peers.map(p => p.peerId)), want, `gRPC ${registerId}`)
        assert.deepEqual(sorted((await viaRest.findPeersForRegister(registerId, 0, { includeDht: true })).peers.map(p => p.peerId)), want, `REST ${registerId}`)
      }
    } finally {
      viaGrpc.close()
      viaRest.close()
    }
  })

  it('an admin call that changes a node\'s registers is seen by the others (gRPC, then REST)', async () => {
    const g = gateways.get(CHANGED)!
    const admin = runtimeAdminClient(g.grpcAddress)
    const changedId = nodes[CHANGED]!.peerId.toString()
    const connected = (): number[] => nodes.flatMap((n, i) => i !== CHANGED && n.libp2p.getConnections(nodes[CHANGED]!.peerId).length > 0 ? [i] : [])
    try {
      const [err, served] = await unary(admin, 'updateServedRegisters', { follow: ['reg-d'], unfollow: ['reg-a'] })
      assert.equal(err, null)
      assert.deepEqual(served?.registers, ['reg-d'])
      const after1 = SERVES.map((s, i) => i === CHANGED ? ['reg-d'] : s)
      // Every node connected to it hears the new record at once (firsthand), and answers with it.
      await until(() => connected().every(i => REGISTERS.every(r => servingIn(nodes[i]!, r).join() === expected(r, i, after1).join())), 50, undefined, () => wrongViews(connected(), after1))
      assert.ok(connected().length > 0)
      const bad = await rest(g.restUrl, 'POST', '/v1/admin/registers', { follow: ['not a register'] })
      assert.equal(bad.status, 400)
      const viaRest = await rest<{ registers: string[] }>(g.restUrl, 'POST', '/v1/admin/registers', { unfollow: ['reg-d'], follow: ['reg-b', 'reg-c'] })
      assert.equal(viaRest.status, 200)
      assert.deepEqual(viaRest.body.registers, ['reg-b', 'reg-c'])
      const after2 = SERVES.map((s, i) => i === CHANGED ? ['reg-b', 'reg-c'] : s)
      const q = gateways.get(Q1)!
      const client = new SorchaClient({ endpoints: { grpc: q.grpcAddress }, transports: ['grpc-unary'] })
      try {
        await nodes[Q1]!.libp2p.dial(nodes[CHANGED]!.peerId)
        await until(async () => (await client.findPeersForRegister('reg-c')).peers.some(p => p.peerId === changedId), 50)
        for (const registerId of REGISTERS) {
          assert.deepEqual(sorted((await client.findPeersForRegister(registerId)).peers.map(p => p.peerId)), expected(registerId, Q1, after2), registerId)
        }
        // Its provider records follow the set; an old record still in the DHT is outweighed by what the node itself said.
        const topology = (nodes[CHANGED]!.libp2p.services as unknown as { topology: { providedRegisters: () => string[] } }).topology
        assert.deepEqual(topology.providedRegisters(), ['reg-b', 'reg-c'])
        const withDht = await client.findPeersForRegister('reg-a', 0, { includeDht: true, timeoutMs: 30_000 })
        assert.deepEqual(sorted(withDht.peers.map(p => p.peerId)), expected('reg-a', Q1, after2))
      } finally {
        client.close()
      }
    } finally {
      admin.close()
    }
  })
})
