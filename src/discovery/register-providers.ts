/**
 * Kademlia provider records per register (protocols/topology/SPEC.md §9): a node serving a register
 * provides the register's key, so that any node can find serving peers beyond its neighbours with one
 * `findProviders` lookup. kad-dht re-provides what was provided until `cancelReprovide`.
 */
import type { PeerId } from '@libp2p/interface'
import { EventTypes, type KadDHT } from '@libp2p/kad-dht'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import type { Logger } from '../logging/index.ts'

/** Prefix hashed with the register id into its provider key; versioned like a protocol id. */
export const REGISTER_KEY_PREFIX = '/sorcha/register/1.0.0/'

/**
 * The DHT key of a register: CIDv1, codec raw (0x55), of sha256(REGISTER_KEY_PREFIX + registerId) in
 * UTF-8. The prefix keeps the keys apart from any other use of the DHT.
 */
export async function registerKey (registerId: string): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(REGISTER_KEY_PREFIX + registerId)))
}

/** A provider found for a register. */
export interface RegisterProvider {
  peerId: string
  addresses: string[]
}

/** Keeps this node's provider records equal to the registers it serves, and finds other providers. */
export class RegisterProviders {
  private readonly dht: () => KadDHT | undefined
  private readonly self: PeerId
  private readonly log: Logger
  /** Registers provided (or being provided); bounded by the served set (MODEL_LIMITS.maxRegisters). */
  private readonly provided = new Set<string>()

  constructor (dht: () => KadDHT | undefined, self: PeerId, log: Logger) {
    this.dht = dht
    this.self = self
    this.log = log
  }

  /** Registers currently provided. */
  list (): string[] {
    return [...this.provided].sort()
  }

  /**
   * Provides the registers of `served` not yet provided and cancels the re-provision of those no
   * longer served. Serving every register (allRegisters) provides none: no key stands for "all".
   */
  sync (served: readonly string[], options: { signal: AbortSignal }): void {
    const want = new Set(served)
    for (const registerId of [...this.provided]) {
      if (want.has(registerId)) continue
      this.provided.delete(registerId)
      void this.cancel(registerId)
    }
    for (const registerId of want) {
      if (this.provided.has(registerId)) continue
      this.provided.add(registerId)
      void this.provide(registerId, options.signal)
    }
  }

  /** Stops re-providing everything (node stop). */
  clear (): void {
    for (const registerId of this.provided) void this.cancel(registerId)
    this.provided.clear()
  }

  private async provide (registerId: string, signal: AbortSignal): Promise<void> {
    const dht = this.dht()
    if (dht === undefined) return
    try {
      // The lookup waits for kad-dht's first self-query; it runs to its end so that the records are stored.
      for await (const event of dht.provide(await registerKey(registerId), { signal })) void event
      // Unfollowed while the lookup ran: the record it stored must not be re-provided.
      if (!this.provided.has(registerId)) await this.cancel(registerId)
      else this.log.debug({ register: registerId }, 'register provided')
    } catch (err) {
      // Still served: kad-dht re-provides the locally stored record; the next change or restart tries again.
      if (!signal.aborted) this.log.debug({ register: registerId, err: (err as Error).message }, 'providing a register failed')
    }
  }

  private async cancel (registerId: string): Promise<void> {
    try {
      await this.dht()?.cancelReprovide(await registerKey(registerId))
    } catch (err) {
      this.log.debug({ register: registerId, err: (err as Error).message }, 'cancelling a register provision failed')
    }
  }

  /** The providers of a register the DHT knows (ourselves excluded), until the lookup ends or `signal` aborts. */
  async find (registerId: string, options: { signal: AbortSignal }): Promise<RegisterProvider[]> {
    const dht = this.dht()
    if (dht === undefined) return []
    const found = new Map<string, RegisterProvider>()
    for await (const event of dht.findProviders(await registerKey(registerId), { signal: options.signal })) {
      if (event.type !== EventTypes.PROVIDER) continue
      for (const info of event.providers) {
        if (info.id.equals(this.self)) continue
        const known = found.get(info.id.toString())
        const addresses = [...new Set([...(known?.addresses ?? []), ...info.multiaddrs.map(ma => ma.toString())])]
        found.set(info.id.toString(), { peerId: info.id.toString(), addresses })
      }
    }
    return [...found.values()]
  }
}
