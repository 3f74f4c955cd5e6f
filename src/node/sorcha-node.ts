/**
 * A Sorcha node: identity, database and libp2p, started and stopped as one. Domain services (peer
 * list, discovery, health, address, gossip, gateway) plug in as libp2p services, so libp2p starts
 * and stops them in order with the node; `start()` and `stop()` are idempotent, and stop undoes
 * everything start did (docs/conventions.md §3).
 */
import type { Libp2p, PeerId, ServiceMap } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createLibp2p } from 'libp2p'
import { TypedEventEmitter } from 'main-event'
import type { Config } from '../config/index.ts'
import { logger, type Logger } from '../logging/index.ts'
import { createStorage, type Storage } from '../storage/index.ts'
import { peerListGater } from '../peers/gater.ts'
import type { PeerList } from '../peers/types.ts'
import { defaultContributions } from './contributions.ts'
import { loadOrCreateIdentity } from './identity.ts'
import { coreServices, libp2pOptions } from './libp2p-options.ts'

/** What a service factory receives beyond libp2p's own components. */
export interface NodeContext {
  config: Readonly<Config>
  storage: Storage
  /** The node's peer id as a string (base58btc). */
  peerId: string
}

/** A contribution to the node: extra libp2p services built with access to the node context. */
export type ServiceContribution = (context: NodeContext) => ServiceMap

/** Events a node emits. */
export interface SorchaNodeEvents {
  'node:started': CustomEvent<{ peerId: string }>
  'node:stopped': CustomEvent<{ peerId: string }>
}

/** Options for SorchaNode.create. */
export interface SorchaNodeOptions {
  /** Feature services (peer list, discovery, gossip...). @default defaultContributions(config) */
  contributions?: ServiceContribution[]
}

/** A running (or stopped) Sorcha node. */
export class SorchaNode extends TypedEventEmitter<SorchaNodeEvents> {
  readonly config: Readonly<Config>
  readonly libp2p: Libp2p<ServiceMap>
  readonly storage: Storage
  readonly peerId: PeerId
  /** True when the identity key was created by this process. */
  readonly identityCreated: boolean
  private readonly log: Logger
  private state: 'stopped' | 'starting' | 'started' | 'stopping' = 'stopped'
  private transition: Promise<void> = Promise.resolve()

  private constructor (config: Readonly<Config>, libp2p: Libp2p<ServiceMap>, storage: Storage, identityCreated: boolean) {
    super()
    this.config = config
    this.libp2p = libp2p
    this.storage = storage
    this.peerId = libp2p.peerId
    this.identityCreated = identityCreated
    this.log = logger('sorcha:node', { peer: libp2p.peerId.toString() })
  }

  /** Loads the identity and composes libp2p; does not start anything. */
  static async create (config: Readonly<Config>, options: SorchaNodeOptions = {}): Promise<SorchaNode> {
    const { privateKey, created } = await loadOrCreateIdentity(config.dataDir)
    const storage = createStorage(config.dataDir)
    const context: NodeContext = { config, storage, peerId: peerIdFromPrivateKey(privateKey).toString() }
    const services: ServiceMap = { ...coreServices(config) }
    for (const contribute of options.contributions ?? defaultContributions(config)) Object.assign(services, contribute(context))
    // Bans live in the peer list, which exists only once libp2p has built its services.
    const built: { libp2p?: Libp2p<ServiceMap> } = {}
    const gater = peerListGater(() => built.libp2p?.services.peerList as PeerList | undefined)
    built.libp2p = await createLibp2p(libp2pOptions(config, privateKey, services, gater)) as unknown as Libp2p<ServiceMap>
    return new SorchaNode(config, built.libp2p, storage, created)
  }

  /** True between a completed start() and the next stop(). */
  get isStarted (): boolean {
    return this.state === 'started'
  }

  /** Opens the database, then starts libp2p and every service. Idempotent. */
  async start (): Promise<void> {
    return this.serialize(async () => {
      if (this.state === 'started') return
      this.state = 'starting'
      try {
        await this.storage.open()
        await this.libp2p.start()
      } catch (err) {
        this.state = 'stopped'
        await Promise.resolve(this.libp2p.stop()).catch(() => {})
        await this.storage.close().catch(() => {})
        throw err
      }
      this.state = 'started'
      this.log.info({ addresses: this.libp2p.getMultiaddrs().map(String) }, 'node started')
      this.safeDispatch('node:started')
    })
  }

  /** Stops every service and libp2p (closing connections), then flushes and closes the database. Idempotent. */
  async stop (): Promise<void> {
    return this.serialize(async () => {
      if (this.state === 'stopped') return
      this.state = 'stopping'
      try {
        await this.libp2p.stop()
      } finally {
        await this.storage.close()
        this.state = 'stopped'
      }
      this.log.info('node stopped')
      this.safeDispatch('node:stopped')
    })
  }

  /** Runs lifecycle transitions one at a time; a failed one does not block the next. */
  private async serialize (step: () => Promise<void>): Promise<void> {
    const next = this.transition.catch(() => {}).then(step)
    this.transition = next
    return next
  }

  private safeDispatch (type: keyof SorchaNodeEvents): void {
    this.safeDispatchEvent(type, { detail: { peerId: this.peerId.toString() } })
  }
}
