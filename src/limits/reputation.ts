/**
 * Reaching the reputation service (src/reputation/port.ts) from the parts that detect misbehaviour.
 * The service is optional (bare test nodes, or a node built before it existed): libp2p's components
 * throw for an absent service, so the lookup catches that and callers carry on without it.
 */
import type { Offence, ReputationPort } from '../reputation/port.ts'

/** Components that may hold the reputation service. */
export interface ReputationComponents {
  reputation?: ReputationPort
}

/** An optional libp2p component: libp2p's components object throws for a service the node lacks. */
export function optionalComponent<T> (read: () => T | undefined): T | undefined {
  try {
    return read()
  } catch {
    return undefined
  }
}

/** The reputation service, if the node runs one. */
export function reputationOf (components: ReputationComponents): ReputationPort | undefined {
  return optionalComponent(() => components.reputation)
}

/** Reports an offence if the node runs a reputation service; never throws. */
export function penalise (components: ReputationComponents, peerId: string, offence: Offence, detail?: string): void {
  try {
    reputationOf(components)?.penalise(peerId, offence, detail)
  } catch {
    // The port promises not to throw; a broken one must not break the protocol that reports.
  }
}

/** True for the length-prefix decoder's "message too long" error (@libp2p/utils lpStream): an `oversized` offence. */
export function isOversized (err: unknown): boolean {
  return err instanceof Error && /InvalidDataLength|too long/i.test(`${err.name} ${err.message}`)
}
