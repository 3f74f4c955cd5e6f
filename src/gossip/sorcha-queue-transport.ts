/**
 * How the outbound queue hands transactions to the sorcha strategy (src/queue, QueueTransport).
 * A first send is the core's `publish` input: the core marks it held and pushes it to its first-hop
 * neighbours (bodies up to publishPushMaxBytes) or announces it (SPEC.md §3.1). A resend goes
 * straight to the peers that reported lacking it: the body itself when small, else an inv that
 * they answer with getdata. A transaction the core already holds (restored from the store after a
 * restart) is offered that way to every neighbour, since the core would not relay it again.
 * Back-pressure: at most MAX_PUSHED_JOBS_PER_PEER bodies wait per peer channel (the rest of its room
 * is kept for the peer's requests), and at most the announce window's size of first announcements
 * wait for a neighbour's getdata (announce-window.ts).
 */
import type { Transaction } from '../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import type { QueueTransport } from '../queue/types.ts'
import { MAX_PUSHED_JOBS_PER_PEER } from './constants.ts'
import type { AnnounceWindow } from './announce-window.ts'
import type { CoreDriver } from './core-driver.ts'
import type { PeerChannel } from './peer-channel.ts'
import { originTag } from './origin.ts'

/** What the transport reads from the sorcha distributor. */
export interface SorchaTransportParts {
  driver: () => CoreDriver | undefined
  /** The channel to a neighbour (created on first use). */
  channel: (peer: string) => PeerChannel | undefined
  /** Bodies up to this size are pushed, larger ones announced (gossip.publishPushMaxBytes). */
  pushMaxBytes: number
  /** Inv items announced to each neighbour and not yet asked for. */
  window: AnnounceWindow
}

/**
 * Offers a held transaction of `register` to `peers` directly: the body to those known to serve the
 * register, an inv to those whose registers are unknown, nothing to those known not to serve it
 * (SPEC.md §3.7).
 */
function offer (parts: SorchaTransportParts, driver: CoreDriver, id: string, size: number, register: string | undefined, peers: readonly string[]): void {
  // getdata is served for what the core holds: a body only in the store is made known to it.
  if (!driver.core.holds(id)) driver.feed({ type: 'restore', id, size, hops: 0, ...(register === undefined ? {} : { register }) })
  for (const peer of peers) {
    const interest = driver.core.interest(peer, register)
    if (interest === 'not-served') continue
    const channel = parts.channel(peer)
    if (size <= parts.pushMaxBytes && interest === 'serves') channel?.serve({ id, offset: 0, hops: 1, done: false })
    else if (channel?.sendControl({ type: 'inv', items: [register === undefined ? { id, size, hops: 1 } : { id, size, hops: 1, register }] }) === true) parts.window.announced(peer, id)
  }
}

/** Notes in the window the neighbours whose registers are unknown: the core announces a just-published transaction to them unless it pushes them the body. */
function noteAnnounced (parts: SorchaTransportParts, driver: CoreDriver, id: string, register: string | undefined, peers: readonly string[]): void {
  if (register === undefined) return
  for (const peer of peers) if (driver.core.interest(peer, register) === 'unknown') parts.window.announced(peer, id)
}

/** The neighbours that may want a register's transactions (they serve it, or nobody knows). */
function reachOf (driver: CoreDriver | undefined, register: string): number {
  let reach = 0
  for (const peer of driver?.core.peers() ?? []) if (driver?.core.interest(peer, register) !== 'not-served') reach++
  return reach
}

/** The QueueTransport of the sorcha strategy. */
export function sorchaQueueTransport (parts: SorchaTransportParts): QueueTransport {
  return {
    // Neighbours known not to serve a register do not count (SPEC.md §3.7).
    reach: (registerId: string) => reachOf(parts.driver(), registerId),
    // Bodies: the fullest channel bounds it. Announcements: the emptiest window, so that a neighbour
    // that never asks (it does not serve the register, unknown to us) holds nobody else back.
    room: () => {
      let bodies = Infinity
      let announcements = 0
      const peers = parts.driver()?.core.peers() ?? []
      for (const peer of peers) {
        bodies = Math.min(bodies, MAX_PUSHED_JOBS_PER_PEER - (parts.channel(peer)?.backlog ?? 0))
        announcements = Math.max(announcements, parts.window.room(peer))
      }
      return peers.length === 0 ? Infinity : Math.min(bodies, announcements)
    },
    announce: (id: string, transaction: Transaction) => {
      const driver = parts.driver()
      const peers = driver?.core.peers() ?? []
      if (driver === undefined || peers.length === 0) return false
      const size = transaction.payload.length
      const register = transaction.notification?.registerId
      if (driver.core.holds(id)) offer(parts, driver, id, size, register, peers)
      else {
        const origin = originTag(transaction.notification?.sender ?? '', register ?? '')
        // Noted first: a neighbour the core pushes the body to instead (a push tree's child, SPEC.md
        // §3.8) leaves the window again when the push goes out (the distributor's 'serve').
        noteAnnounced(parts, driver, id, register, peers)
        driver.feed({ type: 'publish', id, size, ...(register === undefined ? {} : { register }), ...(origin === undefined ? {} : { origin }) })
      }
      return true
    },
    resend: (id: string, transaction: Transaction, peers: readonly string[]) => {
      const driver = parts.driver()
      if (driver === undefined) return
      const neighbours = new Set(driver.core.peers())
      offer(parts, driver, id, transaction.payload.length, transaction.notification?.registerId, peers.filter(p => neighbours.has(p)))
    }
  }
}
