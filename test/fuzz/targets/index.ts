/** Every fuzz target, in the order `npm run fuzz -- all` runs them. */
import type { FuzzTarget } from '../target.ts'
import { GOSSIP_TARGETS } from './gossip.ts'
import { GATEWAY_TARGETS } from './gateway.ts'
import { P2P_TARGETS } from './p2p.ts'
import { STORAGE_TARGETS } from './storage.ts'
import { STUN_TARGETS } from './stun.ts'

export const TARGETS: readonly FuzzTarget[] = [...GOSSIP_TARGETS, ...P2P_TARGETS, ...STUN_TARGETS, ...STORAGE_TARGETS, ...GATEWAY_TARGETS]
