/**
 * A network of real nodes serving overlapping subsets of four registers (issue 20), shared by the
 * register tests in test/integration/registers/: node i serves registers i mod 4 and i+1 mod 4,
 * except the last node (the default configuration: every register) and the one before it (serves
 * one register and relays all: gossip.relayAllRegisters). Every node is connected to every other,
 * so each register's serving nodes are neighbours of each other whatever the topology does.
 */
import { gossipContribution, gossipOf } from '../../src/gossip/index.ts'
import { peerHealthContribution } from '../../src/health/index.ts'
import { startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import { PeerRole, PeerSource } from '../../protocols/models/index.ts'
import type { PeerList } from '../../src/peers/index.ts'
import { connect, quiet } from '../support/gossip-net.ts'

/** The four registers. */
export const REGISTERS = ['reg-a', 'reg-b', 'reg-c', 'reg-d'] as const

/** The node count of the register network. */
export const REGISTER_NODES = 12

/** What node `i` is configured with: its registers ([] = every register) and whether it relays all. */
export function registerRole (i: number, nodes = REGISTER_NODES): { registers: string[], relayAll: boolean } {
  if (i === nodes - 1) return { registers: [], relayAll: false }
  if (i === nodes - 2) return { registers: [REGISTERS[0]], relayAll: true }
  return { registers: [REGISTERS[i % 4]!, REGISTERS[(i + 1) % 4]!], relayAll: false }
}

/** True if node `i` serves `register` (hands it to its application). */
export function serves (i: number, register: string, nodes = REGISTER_NODES): boolean {
  const { registers } = registerRole(i, nodes)
  return registers.length === 0 || registers.includes(register)
}

/** Starts the register network with one strategy, every node connected to every other. */
export async function startRegisterNetwork (strategy: 'sorcha' | 'gossipsub', nodes = REGISTER_NODES): Promise<TestNetwork> {
  const net = await startNetwork({
    nodes,
    bootstrap: 'none',
    configFor: i => {
      const { registers, relayAll } = registerRole(i, nodes)
      // The last node keeps the default gossip configuration (registers: [], no relay).
      const gossip = i === nodes - 1 ? { strategy } : { strategy, registers, relayAllRegisters: relayAll }
      return { gossip: { ...gossip, gossipsub: { ipColocationWhitelist: ['127.0.0.1'], heartbeatIntervalMs: 200 } } }
    },
    contributions: [peerHealthContribution(), gossipContribution()]
  })
  await quiet(net.nodes)
  const edges: Array<[number, number]> = []
  for (let a = 0; a < nodes; a++) for (let b = a + 1; b < nodes; b++) edges.push([a, b])
  await connect(net.nodes, edges)
  return net
}

/**
 * Writes every node's registers (and the relay role) into every other node's peer list, as peer
 * records carry them once advertising is in (issue 20 item 1); until then the records say nothing.
 */
export async function advertiseRegisters (nodes: readonly SorchaNode[]): Promise<void> {
  await Promise.all(nodes.map(async (node, i) => {
    const list = node.libp2p.services.peerList as PeerList
    for (const [j, other] of nodes.entries()) {
      if (i === j) continue
      const gossip = gossipOf(other)
      await list.observe({
        peerId: other.peerId.toString(),
        addresses: [],
        source: PeerSource.PEER_SOURCE_UNKNOWN,
        firsthand: true,
        capabilities: { protocols: [], registers: gossip.registers(), allRegisters: gossip.registers().length === 0, roles: gossip.relaysAll() ? [PeerRole.PEER_ROLE_RELAY] : [], maxTransactionBytes: 0, recordSeq: 0 },
        now: Date.now()
      })
    }
  }))
}
