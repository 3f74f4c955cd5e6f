/**
 * The virtual network between nodes: when (and whether) a message sent now from a to b arrives.
 * - latency: a distribution sampled per message, or once per link (a stable path delay) plus optional jitter;
 * - bandwidth: each node's uplink serializes its messages one after another (size / rate), the usual
 *   bottleneck for gossip, which fans out; downlinks are not modelled;
 * - shared CPU: when every node runs in one process (real-node mode, loopback), each message also
 *   occupies that one CPU for a fixed time, one message after another in the order they are sent;
 *   it is what makes loopback hops slow down as the fan-out grows;
 * - loss: each message is dropped with a fixed probability;
 * - partitions: between `fromMs` and `toMs` messages between side A and side B are dropped;
 * - NAT: reachability is applied where connections are made (topology, joins), see topology.ts.
 *
 * Every draw about one message (loss, latency, jitter) comes from the stream of its event key
 * (engine/event-keys.ts), so a message's fate does not depend on which messages were sent before it.
 */
import type { Rng } from '../../protocols/common/rng.ts'
import { KeyedRandom } from '../engine/event-keys.ts'
import { latencyFloor, latencySampler, type LatencySampler, type NetworkLatency } from './latency.ts'
import { RegionMap } from './regions.ts'

/** How latency varies. */
export type LatencyMode = 'per-message' | 'per-link'

/** Network parameters as resolved from a scenario. */
export interface NetworkSpec {
  /** A distribution, or the region model (then the mode is per-link: a link's delay is its regions' RTT / 2). */
  readonly latency: NetworkLatency
  readonly latencyMode: LatencyMode
  /** Extra uniform jitter in [0, jitterMs) added per message in per-link mode (and with regions). */
  readonly jitterMs: number
  /** Uplink rate per node; Infinity for no serialization delay. */
  readonly uplinkBytesPerSec: number
  /** Probability that a message is lost. */
  readonly lossRate: number
  /** CPU time every message takes on a CPU all nodes share, ms; 0 (the default) for one CPU per node. */
  readonly sharedCpuMsPerMessage?: number
}

/** A partition in time: side[i] is 0 (A) or 1 (B). */
export interface Partition {
  readonly fromMs: number
  readonly toMs: number
  readonly side: Uint8Array
}

/** Why a message did not arrive. */
export type DropReason = 'loss' | 'partition'

/** A tiny counter-based generator for per-link values: no allocation per draw. */
class LinkRng {
  private state = 0
  private readonly salt: number
  constructor (salt: number) { this.salt = salt >>> 0 }
  seed (a: number, b: number): this {
    const lo = Math.min(a, b)
    const hi = Math.max(a, b)
    this.state = (Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi + 0x632be5ab, 0x85ebca6b) ^ this.salt) >>> 0
    return this
  }

  next = (): number => {
    this.state = (this.state + 0x9e3779b9) >>> 0
    let z = this.state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return ((z ^ (z >>> 16)) >>> 0) / 0x100000000
  }
}

/** Computes arrival times and drops for messages on the virtual network. */
export class NetworkModel {
  private readonly spec: NetworkSpec
  private readonly sample: LatencySampler
  /** The region model's placement, when the latency is one. */
  private readonly regions: RegionMap | undefined
  private readonly linkRng: LinkRng
  private readonly keyed: KeyedRandom
  private uplinkFreeAt: Float64Array
  private readonly partitions: Partition[] = []
  private readonly isolations: Array<{ fromMs: number, toMs: number, isolated: Uint8Array }> = []
  private readonly msPerByte: number
  private readonly cpuMs: number
  private cpuFreeAt = 0

  constructor (spec: NetworkSpec, rng: Rng, nodeCapacity: number) {
    this.spec = spec
    this.regions = spec.latency.kind === 'regions' ? new RegionMap(spec.latency, nodeCapacity) : undefined
    this.sample = spec.latency.kind === 'regions' ? () => 0 : latencySampler(spec.latency)
    this.linkRng = new LinkRng(rng.int(0x100000000))
    this.keyed = new KeyedRandom(rng.int(0x100000000))
    this.uplinkFreeAt = new Float64Array(nodeCapacity)
    this.msPerByte = Number.isFinite(spec.uplinkBytesPerSec) ? 1000 / spec.uplinkBytesPerSec : 0
    this.cpuMs = spec.sharedCpuMsPerMessage ?? 0
  }

  /** The smallest latency the model can draw, ms: how far ahead a node's messages cannot reach (the lookahead). */
  get minLatencyMs (): number {
    return latencyFloor(this.spec.latency)
  }

  /** Adds a partition. */
  addPartition (p: Partition): void { this.partitions.push(p) }

  /** Cuts the nodes with isolated[i] = 1 off from everyone between fromMs and toMs (an offline window). */
  addIsolation (fromMs: number, toMs: number, isolated: Uint8Array): void {
    this.isolations.push({ fromMs, toMs, isolated })
    this.partitions.push({ fromMs: Infinity, toMs: -Infinity, side: isolated }) // keeps transmit's fast path honest
  }

  /** True if a and b are on different sides of a partition active at `now`, or either is offline then. */
  partitioned (a: number, b: number, now: number): boolean {
    for (const p of this.partitions) {
      if (now >= p.fromMs && now < p.toMs && p.side[a] !== p.side[b]) return true
    }
    for (const o of this.isolations) {
      if (now >= o.fromMs && now < o.toMs && (o.isolated[a] === 1 || o.isolated[b] === 1)) return true
    }
    return false
  }

  /** One-way latency of the message with event key `key` from a to b. */
  latency (a: number, b: number, key: number): number {
    return this.delay(a, b, this.keyed.at(key))
  }

  private delay (a: number, b: number, keyed: KeyedRandom): number {
    if (this.regions !== undefined) {
      const base = this.regions.oneWayMs(a, b)
      return this.spec.jitterMs > 0 ? base + this.spec.jitterMs * keyed.next() : base
    }
    if (this.spec.latencyMode === 'per-link') {
      const base = this.sample(this.linkRng.seed(a, b))
      return this.spec.jitterMs > 0 ? base + this.spec.jitterMs * keyed.next() : base
    }
    return this.sample(keyed)
  }

  /**
   * Sends `sizeBytes` from a to b at `now` as the event `key`: returns the arrival time, or a drop
   * reason. The uplink (and the shared CPU) is occupied even for a message lost on the way.
   */
  transmit (a: number, b: number, sizeBytes: number, now: number, key: number): number | DropReason {
    let departs = now
    if (this.cpuMs > 0) {
      departs = Math.max(now, this.cpuFreeAt) + this.cpuMs
      this.cpuFreeAt = departs
    }
    if (this.msPerByte > 0) {
      const start = Math.max(departs, this.uplinkFreeAt[a]!)
      departs = start + sizeBytes * this.msPerByte
      this.uplinkFreeAt[a] = departs
    }
    const keyed = this.keyed.at(key)
    if (this.spec.lossRate > 0 && keyed.next() < this.spec.lossRate) return 'loss'
    if (this.partitions.length > 0 && this.partitioned(a, b, now)) return 'partition'
    return departs + this.delay(a, b, keyed)
  }
}
