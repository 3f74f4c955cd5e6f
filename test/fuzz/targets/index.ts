/** Every fuzz target, in the order `npm run fuzz -- all` runs them. */
import type { FuzzTarget } from '../target.ts'
import { GOSSIP_TARGETS } from './gossip.ts'

export const TARGETS: readonly FuzzTarget[] = [...GOSSIP_TARGETS]
