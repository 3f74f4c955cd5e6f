/**
 * The libp2p composition of a Sorcha node: TCP, Noise, Yamux, identify, ping, Kademlia (with our own
 * protocol prefix), AutoNAT v2, plus the Sorcha services that other modules contribute.
 *
 * Choices that differ from js-libp2p defaults, and why:
 * - kad-dht runs in server mode from the start and keeps private addresses in its answers: ours is a
 *   private mesh, often on one LAN or host, and the public-internet defaults (client mode until a
 *   public address is confirmed; strip private addresses) leave such a mesh unable to discover itself.
 * - The protocol prefix is /sorcha so that our DHT never merges with the public IPFS one.
 * - Inbound admission (pending handshakes, per-IP rate) comes from configuration; a bootstrap node
 *   must absorb a crowd of joiners, and `connections.allow` exempts trusted ranges (tests: loopback).
 * - Dead connections are found by our connection watch with Yamux ping frames, not by libp2p's
 *   connection monitor with ping-protocol streams (one frame each way instead of a negotiated stream).
 */
import { peerLimits } from '../limits/peer-limits.ts'
import { autoNATv2 } from '@libp2p/autonat-v2'
import { identify } from '@libp2p/identify'
import type { ConnectionGater, PrivateKey, ServiceMap } from '@libp2p/interface'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import type { Libp2pOptions } from 'libp2p'
import type { Config } from '../config/index.ts'
import { libp2pLogger, logger } from '../logging/index.ts'
import { recordListenFailures, type ListenFailures } from './listen-errors.ts'
import { connectionWatch } from '../health/connection-watch.ts'
import { noiseCrypto } from './noise-crypto.ts'
import { cheapNoiseReads } from './noise-reads.ts'

/** libp2p protocol prefix for the DHT: /sorcha/kad/1.0.0 */
export const DHT_PROTOCOL = '/sorcha/kad/1.0.0'

/**
 * When kad-dht runs its first self-query (a lookup of our own id that connects us to our ~20 Kademlia
 * neighbours): a random moment in [intervalMs/2, intervalMs] after start, not kad-dht's fixed 1 s.
 * Measured with 100 nodes joining at once: the 1 s self-queries made every node dial its neighbours
 * in the same second (~2,000 handshakes), joins timed out and 9 to 26 nodes stayed isolated; delayed
 * and spread, the mesh forms through peer exchange first and the self-queries reuse its connections.
 */
export function selfQueryDelayMs (config: Readonly<Config>, random: () => number = Math.random): number {
  const interval = config.discovery.intervalMs
  return Math.round(interval / 2 + random() * interval / 2)
}

/**
 * Most ping streams per connection and direction. Our health monitor opens them, and so may the remote's
 * pingers (libp2p's connection monitor on other libp2p peers and Sorcha nodes before 2026-12-07); a
 * finished ping's stream still counts until the remote's close has arrived, so back-to-back pings
 * briefly hold two or three. Ping streams carry 32 bytes; this only stops abuse.
 */
export const PING_STREAMS_PER_CONNECTION = 8

/**
 * This node's period for the connection watch (src/health/connection-watch.ts): health.intervalMs
 * stretched or shrunk by up to a quarter, drawn once per node. The watch pings every connection at
 * once on a fixed period counted from start, so nodes started together (a fleet rollout, a simulation
 * in one process) would ping in step forever; measured with 100 nodes in one process and libp2p's
 * stream pings, each coinciding round (800 ping streams) stalled the shared event loop 300-600 ms.
 * Different periods drift apart within a few rounds.
 */
export function connectionWatchIntervalMs (config: Readonly<Config>, random: () => number = Math.random): number {
  const interval = config.health.intervalMs
  return Math.round(interval * (0.75 + random() / 2))
}

/** The service factories a node always has. */
export function coreServices (config: Readonly<Config>): ServiceMap {
  return {
    identify: identify(),
    // @libp2p/ping allows 1 outbound and 2 inbound ping streams per connection, but several pingers may
    // share the protocol: our health monitor, and the remote's. When libp2p's connection monitor and the
    // health monitor both pinged, their overlapping rounds got the monitor's stream refused
    // (TooManyOutboundProtocolStreams) and the monitor aborted the healthy connection as dead.
    ping: ping({ timeout: config.health.timeoutMs, maxOutboundStreams: PING_STREAMS_PER_CONNECTION, maxInboundStreams: PING_STREAMS_PER_CONNECTION }),
    dht: kadDHT({
      protocol: DHT_PROTOCOL,
      clientMode: false,
      peerInfoMapper: passthroughMapper,
      alpha: config.discovery.concurrency,
      // Every DHT query (our walks, kad-dht's table refresh, AutoNAT's random walks) waits for the
      // first self-query, which comes 15-30 s after start (below). Joining nodes meanwhile learn the
      // mesh by peer exchange, which dials nobody. Measured with 100 nodes joining at once: letting
      // those queries run from the start (true) left 30 nodes isolated; waiting (false), none.
      allowQueryWithZeroPeers: false,
      initialQuerySelfInterval: selfQueryDelayMs(config)
    }),
    // AutoNAT v2: v1 (@libp2p/autonat 3.0) answers a dial-back over the connection the request came on,
    // so it never really dials and it closes connections; v2 dials back afresh with a nonce
    // (docs/address-and-nat.md).
    autonatV2: autoNATv2(),
    // Per-peer token buckets for every p2p protocol we serve (src/limits, docs/security.md).
    limits: peerLimits({ config: config.limits }),
    // Finds dead connections with Yamux ping frames, in place of libp2p's connection monitor (below).
    connectionWatch: connectionWatch({ intervalMs: connectionWatchIntervalMs(config), timeoutMs: config.health.timeoutMs })
  } as unknown as ServiceMap
}

/**
 * Builds createLibp2p options from the configuration. With `listenFailures`, the transport records
 * why it could not listen on an address (listen-errors.ts). TCP is the node's only transport; the
 * configuration accepts only listen addresses it can use (src/config/addresses.ts).
 */
export function libp2pOptions<S extends ServiceMap> (config: Readonly<Config>, privateKey: PrivateKey, services: S, gater: ConnectionGater = {}, listenFailures?: ListenFailures): Libp2pOptions<S> {
  return {
    privateKey,
    start: false,
    addresses: {
      listen: [...config.listen],
      announce: [...config.announce]
    },
    transports: [listenFailures === undefined ? tcp() : recordListenFailures(tcp(), listenFailures)],
    // The library's crypto, with each session key imported once for Node's cipher (noise-crypto.ts),
    // and reads that do not make an Error each (noise-reads.ts).
    connectionEncrypters: [cheapNoiseReads(noise({ crypto: noiseCrypto }))],
    // Yamux's own keep-alive pings every 30 s but never gives up on a connection; the connection watch
    // sends the same ping frames on its own period and aborts the connections that do not answer.
    streamMuxers: [yamux({ enableKeepAlive: false })],
    connectionManager: {
      maxConnections: config.connections.max,
      maxIncomingPendingConnections: config.connections.maxPendingInbound,
      inboundConnectionThreshold: config.connections.inboundPerIpPerSecond,
      allow: [...config.connections.allow]
    },
    // libp2p's connection monitor opens a ping-protocol stream on every connection every period (a
    // multistream-select negotiation and a peer-store merge each); with both ends of 64 connections
    // pinging every ~30 s that was nearly all of an idle node's CPU (docs/benchmarks.md). The
    // connection watch (coreServices) does its job with Yamux ping frames.
    connectionMonitor: { enabled: false },
    connectionGater: gater,
    logger: libp2pLogger(logger('sorcha:libp2p')),
    services
  } as Libp2pOptions<S>
}
