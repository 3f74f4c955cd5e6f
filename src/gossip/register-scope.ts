/**
 * Register scoping for the sorcha strategy (protocols/tx-gossip/SPEC.md §3.7), the adapter's part:
 * what this node fetches (its served set, or every register when it serves all or relays all), and
 * what each neighbour serves, read from the peer list (`capabilities.registers` and `roles`) when a
 * neighbour comes up and whenever its record changes.
 */
import { PeerRole, type PeerNode } from '../../protocols/models/index.ts'
import type { RegisterSet } from '../../protocols/tx-gossip/index.ts'
import { optionalComponent } from '../node/optional-component.ts'
import type { Logger } from '../logging/index.ts'

/**
 * What a peer record says a peer serves: its registers; every register if it is a relay or says it
 * serves all (`allRegisters`, a node with `gossip.registers: []`); an empty list from anyone else is
 * unknown (SPEC.md §3.7).
 */
export function peerRegistersOf (node: Pick<PeerNode, 'capabilities'> | undefined): RegisterSet | undefined {
  const caps = node?.capabilities
  if (caps === undefined) return undefined
  if (caps.allRegisters || caps.roles.includes(PeerRole.PEER_ROLE_RELAY)) return 'all'
  return caps.registers.length === 0 ? undefined : caps.registers
}

/** The registers a node fetches: 'all' when it serves every register (`served` empty) or relays all. */
export function servedSetOf (served: readonly string[], relayAll: boolean): RegisterSet {
  return relayAll || served.length === 0 ? 'all' : served
}

/** The parts of the peer list this reads. */
interface PeerListView {
  get: (peerId: string) => Promise<PeerNode | undefined>
  addEventListener: (type: 'peer:updated' | 'peer:added', listener: (event: CustomEvent<PeerNode>) => void) => void
  removeEventListener: (type: 'peer:updated' | 'peer:added', listener: (event: CustomEvent<PeerNode>) => void) => void
}

/** Feeds the core what each neighbour serves, from the peer list (none without a peer list: every neighbour stays unknown). */
export class PeerScopes {
  private readonly list: PeerListView | undefined
  private readonly feed: (peer: string, registers: RegisterSet | undefined) => void
  private readonly isNeighbour: (peer: string) => boolean
  private readonly log: Logger
  private readonly onRecord = (event: CustomEvent<PeerNode>): void => {
    if (this.isNeighbour(event.detail.peerId)) this.feed(event.detail.peerId, peerRegistersOf(event.detail))
  }

  constructor (init: { components: object, feed: PeerScopes['feed'], isNeighbour: PeerScopes['isNeighbour'], log: Logger }) {
    const list = optionalComponent<PeerListView>(init.components, 'peerList')
    this.list = typeof list?.get === 'function' ? list : undefined
    this.feed = init.feed
    this.isNeighbour = init.isNeighbour
    this.log = init.log
    this.list?.addEventListener('peer:updated', this.onRecord)
    this.list?.addEventListener('peer:added', this.onRecord)
  }

  /** A neighbour came up: tell the core what its record says. */
  peerUp (peer: string): void {
    this.list?.get(peer).then(
      node => { if (node !== undefined && this.isNeighbour(peer)) this.feed(peer, peerRegistersOf(node)) },
      (err: unknown) => { this.log.debug({ err, peer }, 'could not read a peer record for its registers') }
    )
  }

  stop (): void {
    this.list?.removeEventListener('peer:updated', this.onRecord)
    this.list?.removeEventListener('peer:added', this.onRecord)
  }
}
