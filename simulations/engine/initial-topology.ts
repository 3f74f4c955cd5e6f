/**
 * The run's NAT classes and initial links, from the seed alone: the simulator and the real-node mode
 * both call these, so a scenario gets the same topology in both modes.
 */
import { createRng } from '../../protocols/common/rng.ts'
import { buildTopology, type Topology } from '../network/topology.ts'
import type { RunPlan } from './plan.ts'
import { addRegisterLinks, layoutOf } from './registers.ts'

/** 1 for a public node, 0 for one behind NAT (node 0 is always public), for `capacity` nodes. */
export function natClasses (plan: RunPlan, capacity: number): Uint8Array {
  const rng = createRng(plan.seed).fork(1)
  const isPublic = new Uint8Array(capacity)
  for (let i = 0; i < capacity; i++) isPublic[i] = i === 0 || rng.next() >= plan.natFraction ? 1 : 0
  return isPublic
}

/**
 * The initial links between the plan's nodes: the scenario's topology, plus, in a register scenario
 * (protocol.params.registers), the links that keep each register's serving nodes connected
 * (registers.ts; the same links in the all-serve baseline).
 */
export function initialTopology (plan: RunPlan, isPublic: Uint8Array): Topology {
  const topology = buildTopology(plan.nodes, plan.topology, createRng(plan.seed).fork(3), i => isPublic[i] === 1)
  const layout = layoutOf(plan)
  if (layout === undefined) return topology
  const adjacency = topology.adjacency.map(list => list.slice())
  const n = plan.nodes
  const links = new Set<number>()
  for (let a = 0; a < n; a++) for (const b of adjacency[a]!) links.add(a < b ? a * n + b : b * n + a)
  let missing = topology.missingLinks
  addRegisterLinks(layout, n, createRng(plan.seed).fork(13), (a, b) => {
    const key = a < b ? a * n + b : b * n + a
    if (a === b || links.has(key)) return
    if (isPublic[a] !== 1 && isPublic[b] !== 1) { missing++; return }
    links.add(key)
    adjacency[a]!.push(b)
    adjacency[b]!.push(a)
  })
  return { adjacency, missingLinks: missing }
}
