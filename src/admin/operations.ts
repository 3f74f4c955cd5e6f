/**
 * The admin operations, once, in the shapes of the generated proto messages (protos/sorcha/api/v1/
 * admin.proto); the gateway's gRPC handlers and REST routes only map them. Failures are the gateway's
 * named ApiErrors. Closing a connection on purpose notes its reason first (src/events/
 * disconnect-reasons.ts): `admin` for a disconnect, `banned` for a ban.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type {
  AdminNodeInfo, BanPeerResponse, DialPeerResponse, DisconnectPeerResponse, ListConnectedPeersResponse, LogLevels, NodeStats, ServedRegisters, UnbanPeerResponse
} from '../../protos/gen/sorcha/api/v1/admin.ts'
import { PeerStatus } from '../../protocols/models/index.ts'
import { noteDisconnectReason } from '../events/disconnect-reasons.ts'
import { statusMessage } from '../gateway/connectivity.ts'
import { DeadlineExceededError, FailedPreconditionError, InvalidArgumentError, NotFoundError, UnavailableError } from '../gateway/errors.ts'
import { checkNote, checkPeerId } from '../gateway/validate.ts'
import { logger, logLevels, setLogLevel, type Logger } from '../logging/index.ts'
import type { AdminNode } from './parts.ts'
import { updateServed } from './served-registers.ts'
import { connectedPeerMessage, connectionMessage, gossipMessage, groupByPeer, peerCountsMessage, peersByProtocol } from './views.ts'

/** Longest a DialPeer waits for the connection. */
export const DIAL_TIMEOUT_MS = 10_000
/** Longest ban the API sets (longer: ban until unbanned, duration 0). */
export const MAX_BAN_DURATION_MS = 10 * 365 * 24 * 60 * 60 * 1000
/** The ban reason when the operator gives none. */
export const DEFAULT_BAN_REASON = 'admin'
/** The reason code of every operator's ban (the operator's words are its reason text). */
export const ADMIN_BAN_CODE = 'admin'

type Signal = { signal?: AbortSignal }

const unavailable = (part: string): UnavailableError => new UnavailableError(`${part}_unavailable`, `this node runs without the ${part} service`)

/** Every admin operation, transport-neutral. */
export class AdminOperations {
  private readonly node: AdminNode | undefined

  private readonly dialTimeoutMs: number

  /** `node` undefined: a backend without a libp2p node (the in-memory one); only log levels work. */
  constructor (node: AdminNode | undefined, options: { /** @default DIAL_TIMEOUT_MS */ dialTimeoutMs?: number } = {}) {
    this.node = node
    this.dialTimeoutMs = options.dialTimeoutMs ?? DIAL_TIMEOUT_MS
  }

  /** What the operator did, at info level: an audit trail in the node's own log (made per use: the root may be configured after this object). */
  private get log (): Logger {
    return logger('sorcha:admin')
  }

  private get n (): AdminNode {
    if (this.node === undefined) throw unavailable('libp2p')
    return this.node
  }

  async listConnectedPeers (options: Signal = {}): Promise<ListConnectedPeersResponse> {
    const node = this.n
    const byPeer = groupByPeer(node.connections())
    let inbound = 0
    let outbound = 0
    const peers = await Promise.all([...byPeer].map(async ([peerId, connections]) => {
      for (const c of connections) { if (c.direction === 'inbound') inbound++; else outbound++ }
      const [entry, info] = await Promise.all([node.peerList?.get(peerId, options), node.peerInfo(connections[0]!.remotePeer)])
      return connectedPeerMessage(peerId, connections, entry, info)
    }))
    return { peers, inbound, outbound }
  }

  /**
   * Dials a multiaddr; answers once connected.
   * @throws InvalidArgumentError invalid_multiaddr; UnavailableError node_suspended, dial_failed; DeadlineExceededError dial_timeout
   */
  async dialPeer (address: string, options: Signal = {}): Promise<DialPeerResponse> {
    const node = this.n
    const target = parseMultiaddr(address)
    if (node.connectivity?.status().state === 'suspended') {
      throw new UnavailableError('node_suspended', 'this node is offline (suspended by its operator): sorcha-peer online resumes it')
    }
    const targetPeer = target.getComponents().findLast(c => c.name === 'p2p')?.value
    if (targetPeer === node.peerId) throw new InvalidArgumentError('dial_self', 'the multiaddr names this node itself')
    const timeout = AbortSignal.timeout(this.dialTimeoutMs)
    try {
      const connection = await node.dial(target, { signal: options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]) })
      this.log.info({ peer: connection.remotePeer.toString(), address }, 'operator dialled a peer')
      return { peerId: connection.remotePeer.toString(), connection: connectionMessage(connection) }
    } catch (err) {
      if (timeout.aborted && options.signal?.aborted !== true) throw new DeadlineExceededError('dial_timeout', `no connection to ${address} within ${this.dialTimeoutMs} ms`)
      if (options.signal?.aborted === true) throw options.signal.reason
      if (targetPeer !== undefined && (await node.peerList?.get(targetPeer))?.status === PeerStatus.PEER_STATUS_BANNED) {
        throw new FailedPreconditionError('peer_banned', `peer ${targetPeer} is banned: unban it first (sorcha-peer admin unban)`)
      }
      const name = (err as { name?: unknown } | null)?.name
      throw new UnavailableError('dial_failed', `dialing ${address} failed (${typeof name === 'string' ? name : 'error'})`)
    }
  }

  /** Closes every connection to a peer, noting the reason `admin`. @throws NotFoundError peer_not_connected */
  async disconnectPeer (peerId: string, options: Signal = {}): Promise<DisconnectPeerResponse> {
    const node = this.n
    checkPeerId(peerId)
    const open = node.connections().filter(c => c.status === 'open' && c.remotePeer.toString() === peerId).length
    if (open === 0) throw new NotFoundError('peer_not_connected', `peer ${peerId} has no open connection to this node`)
    noteDisconnectReason(peerId, 'admin')
    await node.hangUp(peerIdFromString(peerId), options)
    this.log.info({ peer: peerId, connections: open }, 'operator disconnected a peer')
    return { connectionsClosed: open }
  }

  /**
   * Bans a peer in the peer list (persisted; it survives restarts) and closes its connections.
   * @throws InvalidArgumentError invalid_peer_id, invalid_reason, invalid_duration, ban_self; UnavailableError peer_list_unavailable
   */
  async banPeer (peerId: string, reason: string, durationMs: number, options: Signal = {}): Promise<BanPeerResponse> {
    const node = this.n
    checkPeerId(peerId)
    if (peerId === node.peerId) throw new InvalidArgumentError('ban_self', 'a node cannot ban itself')
    const why = checkReason(reason)
    if (!Number.isSafeInteger(durationMs) || durationMs < 0 || durationMs > MAX_BAN_DURATION_MS) {
      throw new InvalidArgumentError('invalid_duration', `durationMs must be 0 (until unbanned) or at most ${MAX_BAN_DURATION_MS} (10 years)`)
    }
    const list = node.peerList
    if (list === undefined) throw unavailable('peer_list')
    const open = node.connections().filter(c => c.status === 'open' && c.remotePeer.toString() === peerId).length
    if (open > 0) noteDisconnectReason(peerId, 'banned')
    const peer = await list.ban(peerId, { now: Date.now(), reason: why, code: ADMIN_BAN_CODE, ...(durationMs === 0 ? {} : { durationMs }) }, options)
    if (peer === undefined) throw new UnavailableError('ban_refused', `the peer list did not take the ban of ${peerId}`)
    // The peer list closes the connections when the ban is made; answer once they are closed.
    if (open > 0) await node.hangUp(peerIdFromString(peerId), options)
    this.log.info({ peer: peerId, reason: why, untilMs: peer.bannedUntilMs, connections: open }, 'operator banned a peer')
    return { peer, connectionsClosed: open }
  }

  /** Lifts a ban. @throws NotFoundError peer_not_banned */
  async unbanPeer (peerId: string, options: Signal = {}): Promise<UnbanPeerResponse> {
    const list = this.n.peerList
    checkPeerId(peerId)
    if (list === undefined) throw unavailable('peer_list')
    const entry = await list.get(peerId, options)
    if (entry?.status !== PeerStatus.PEER_STATUS_BANNED) throw new NotFoundError('peer_not_banned', `peer ${peerId} is not banned`)
    // An operator's unban forgives: the repeat count that escalates reputation bans starts over.
    const peer = await list.unban(peerId, { now: Date.now(), forget: true, ...options })
    if (peer === undefined) throw new NotFoundError('peer_not_banned', `peer ${peerId} is not banned`)
    this.log.info({ peer: peerId }, 'operator lifted a ban')
    return { peer }
  }

  /** Follows and unfollows registers at once (until the next configuration reload); the node re-advertises its record. */
  updateServedRegisters (follow: readonly string[], unfollow: readonly string[]): ServedRegisters {
    const served = this.n.served
    if (served === undefined) throw unavailable('gossip')
    const result = updateServed(served, { follow, unfollow })
    if (follow.length + unfollow.length > 0) this.log.info({ follow, unfollow, registers: result.registers }, 'operator changed the served registers')
    return result
  }

  /** The levels in force (this process's, which is the node's). */
  logLevels (): LogLevels {
    const view = logLevels()
    return { global: view.global, subsystems: Object.entries(view.subsystems).map(([subsystem, level]) => ({ subsystem, level })) }
  }

  /** @throws InvalidArgumentError invalid_log_level, invalid_subsystem */
  setLogLevel (level: string, subsystem: string): LogLevels {
    try {
      setLogLevel(level, subsystem === '' ? undefined : subsystem)
    } catch (err) {
      const name = (err as Error).name
      if (name === 'InvalidLogLevelError') throw new InvalidArgumentError('invalid_log_level', subsystem === '' && level === 'default' ? 'level default applies to a subsystem only; give one, or a level for the whole node' : (err as Error).message)
      if (name === 'InvalidSubsystemError') throw new InvalidArgumentError('invalid_subsystem', (err as Error).message)
      throw err
    }
    // Logged after the change: a line turned off by it is not written.
    this.log.info({ subsystem: subsystem === '' ? 'global' : subsystem, newLevel: level }, 'operator changed a log level')
    return this.logLevels()
  }

  nodeInfo (): AdminNodeInfo {
    const node = this.n
    const nat = node.address?.status()
    const connectivity = node.connectivity?.status()
    return {
      peerId: node.peerId,
      listenAddresses: node.listenAddrs(),
      addresses: node.multiaddrs(),
      natType: nat?.natType ?? 'unknown',
      reachability: nat?.reachability ?? 'unknown',
      externalAddress: nat?.externalAddress ?? '',
      mapping: nat?.mapping ?? 'unknown',
      filtering: nat?.filtering ?? 'unknown',
      addressMethod: nat?.method ?? 'none',
      natCheckedAtMs: nat?.checkedAt ?? 0,
      natProblems: nat?.problems ?? [],
      connectivity: connectivity === undefined ? undefined : statusMessage(connectivity),
      version: node.version,
      uptimeMs: Math.max(0, Date.now() - node.startedAtMs),
      protocols: node.protocols()
    }
  }

  async stats (): Promise<NodeStats> {
    const node = this.n
    const byPeer = groupByPeer(node.connections())
    const open = [...byPeer.values()].flat()
    const infos = await Promise.all([...byPeer.values()].map(async cs => node.peerInfo(cs[0]!.remotePeer)))
    const gossip = node.gossip === undefined ? undefined : gossipMessage(node.gossip.stats())
    const queue = node.gossip?.queueStats()
    const { commits: _commits, ...queueView } = queue ?? { commits: undefined }
    return {
      connectedPeers: byPeer.size,
      inboundConnections: open.filter(c => c.direction === 'inbound').length,
      outboundConnections: open.filter(c => c.direction !== 'inbound').length,
      openStreams: open.reduce((sum, c) => sum + c.streams.length, 0),
      peersByProtocol: peersByProtocol(infos),
      knownPeers: node.peerList === undefined ? undefined : peerCountsMessage(node.peerList.countByStatus(), node.peerList.size()),
      healthScore: node.health?.snapshot().score ?? -1,
      gossip: gossip?.gossip,
      store: gossip?.store,
      queue: queue === undefined ? undefined : queueView as NonNullable<NodeStats['queue']>,
      reconcile: gossip?.reconcile,
      uptimeMs: Math.max(0, Date.now() - node.startedAtMs)
    }
  }
}

/** A multiaddr string, parsed. @throws InvalidArgumentError invalid_multiaddr */
export function parseMultiaddr (value: string): Multiaddr {
  if (value === '' || value.length > 1024 || !value.startsWith('/')) throw new InvalidArgumentError('invalid_multiaddr', 'multiaddr must be a multiaddr such as /ip4/127.0.0.1/tcp/4001/p2p/<peer id>')
  try {
    const parsed = multiaddr(value)
    const p2p = parsed.getComponents().findLast(c => c.name === 'p2p')?.value
    if (p2p !== undefined) checkPeerId(p2p, 'the multiaddr\'s /p2p/ part')
    return parsed
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw new InvalidArgumentError('invalid_multiaddr', err.message)
    throw new InvalidArgumentError('invalid_multiaddr', 'multiaddr must be a multiaddr such as /ip4/127.0.0.1/tcp/4001/p2p/<peer id>')
  }
}

/** A ban reason: the operator's words, at most 200 characters; empty = `admin`. */
function checkReason (reason: string): string {
  try {
    checkNote(reason, 'reason')
  } catch (err) {
    throw new InvalidArgumentError('invalid_reason', (err as Error).message)
  }
  return reason === '' ? DEFAULT_BAN_REASON : reason
}
