/** The topology maintainer's per-register sub-meshes (protocols/topology/SPEC.md §10). */
import { z } from 'zod'
import { integer } from '../fields.ts'

/** The `topology` section of the configuration. */
export const topologySection = z.strictObject({
  registerDegree: integer(0, 64, 4, 'For each register this node serves (gossip.registers), keep at least this many connections to peers serving it, dialling them from the peer list and the DHT\'s provider records; 0 = off. Nothing to do while the node serves every register')
}).prefault({})
