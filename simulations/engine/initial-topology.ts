/**
 * The run's NAT classes and initial links, from the seed alone: the simulator and the real-node mode
 * both call these, so a scenario gets the same topology in both modes.
 */
import { createRng } from '../../protocols/common/rng.ts'
import { buildTopology, type Topology } from '../network/topology.ts'
import type { RunPlan } from './plan.ts'

/** 1 for a public node, 0 for one behind NAT (node 0 is always public), for `capacity` nodes. */
export function natClasses (plan: RunPlan, capacity: number): Uint8Array {
  const rng = createRng(plan.seed).fork(1)
  const isPublic = new Uint8Array(capacity)
  for (let i = 0; i < capacity; i++) isPublic[i] = i === 0 || rng.next() >= plan.natFraction ? 1 : 0
  return isPublic
}

/** The initial links between the plan's nodes. */
export function initialTopology (plan: RunPlan, isPublic: Uint8Array): Topology {
  return buildTopology(plan.nodes, plan.topology, createRng(plan.seed).fork(3), i => isPublic[i] === 1)
}
