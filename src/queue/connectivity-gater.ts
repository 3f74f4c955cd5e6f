/**
 * Connection-gater rules for offline mode: while the operator has suspended the node, every dial is
 * denied and every inbound connection is refused at its first step (before the handshake), and any
 * connection that raced the switch is refused at each later step of its upgrade. `mergeGaters`
 * combines these with the peer list's ban rules into libp2p's one `connectionGater`.
 */
import type { ConnectionGater } from '@libp2p/interface'

/** What the gater asks: is the node refusing every connection right now? */
export interface RefusalSource {
  readonly refusesConnections: boolean
}

/** The source, or a function that returns it once it exists (libp2p builds its services after its options). */
export type RefusalLookup = RefusalSource | (() => RefusalSource | undefined)

type GaterMethod = Exclude<keyof ConnectionGater, 'filterMultiaddrForPeer'>

/** Every deny method of a connection gater (filterMultiaddrForPeer filters, it does not deny). */
const DENY_METHODS: GaterMethod[] = [
  'denyDialPeer', 'denyDialMultiaddr', 'denyInboundConnection', 'denyOutboundConnection',
  'denyInboundEncryptedConnection', 'denyOutboundEncryptedConnection', 'denyInboundUpgradedConnection',
  'denyOutboundUpgradedConnection', 'denyInboundRelayReservation', 'denyOutboundRelayedConnection', 'denyInboundRelayedConnection'
]

/** Gater methods that deny everything while the source refuses connections (nothing before it exists). */
export function connectivityGater (source: RefusalLookup): ConnectionGater {
  const refusing = (): boolean => (typeof source === 'function' ? source() : source)?.refusesConnections === true
  return Object.fromEntries(DENY_METHODS.map(name => [name, refusing])) as ConnectionGater
}

/** One gater from several: a step is denied when any of them denies it. */
export function mergeGaters (...gaters: ConnectionGater[]): ConnectionGater {
  const merged: Record<string, unknown> = {}
  for (const name of DENY_METHODS) {
    const rules = gaters.map(g => g[name] as ((...args: unknown[]) => boolean | Promise<boolean>) | undefined).filter(r => r !== undefined)
    if (rules.length === 0) continue
    merged[name] = async (...args: unknown[]): Promise<boolean> => {
      for (const rule of rules) if (await rule(...args)) return true
      return false
    }
  }
  const filters = gaters.map(g => g.filterMultiaddrForPeer).filter(f => f !== undefined)
  if (filters.length > 0) {
    merged.filterMultiaddrForPeer = async (...args: Parameters<NonNullable<ConnectionGater['filterMultiaddrForPeer']>>): Promise<boolean> => {
      for (const filter of filters) if (!(await filter(...args))) return false
      return true
    }
  }
  return merged as ConnectionGater
}
