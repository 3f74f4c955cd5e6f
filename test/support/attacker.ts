/**
 * A malicious peer for attack tests and the attack benchmark (issue 19 item 5): a libp2p node that
 * speaks the tx-gossip wire format (src/gossip/wire.ts, length-prefixed GossipFrames) directly,
 * announcing what it never serves, flooding, opening streams, sending garbage, oversized frames and
 * decompression bombs. It advertises /sorcha/tx-gossip so the target counts it as a neighbour (and
 * asks it for what it announced), and reads and ignores every request.
 *
 * Also here: a recording reputation port (src/reputation/port.ts) that a test node can carry as its
 * `reputation` service, so a test can see which offences a node reports, by whom.
 */
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import type { Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import * as lp from 'it-length-prefixed'
import { GossipFrame } from '../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { TX_GOSSIP_PROTOCOL } from '../../src/gossip/index.ts'
import { dialAddrs } from '../../src/harness/index.ts'
import type { ServiceContribution, SorchaNode } from '../../src/node/sorcha-node.ts'
import type { Offence, ReputationPort } from '../../src/reputation/port.ts'
import { REPUTATION_SERVICE, reputationContribution, type ReputationService } from '../../src/reputation/index.ts'
import type { ServiceMap } from '@libp2p/interface'

const gzipAsync = promisify(gzip)

/** One offence a node reported. */
export interface Reported { by: string, peer: string, offence: Offence }

/** Offences reported by every node carrying recordingReputation(), in order. */
export class OffenceLog {
  readonly entries: Reported[] = []

  /** The offences `by` reported against `peer`. */
  of (by: string, peer: string): Offence[] {
    return this.entries.filter(e => e.by === by && e.peer === peer).map(e => e.offence)
  }
}

/**
 * A contribution that gives a node a reputation service which records what it is told. By default it
 * decides nothing (graylists nobody but the peers in `graylisted`, so each attack meets the limits rather
 * than an earlier attack's graylist); with `decide` it is the real service (src/reputation) with the record kept beside it.
 */
export function recordingReputation (log: OffenceLog, options: { decide?: boolean, graylisted?: ReadonlySet<string> } = {}): ServiceContribution {
  return context => {
    if (options.decide !== true) {
      return {
        reputation: (): ReputationPort => ({
          penalise: (peer, offence) => { log.entries.push({ by: context.peerId, peer, offence }) },
          isGraylisted: peer => options.graylisted?.has(peer) === true
        })
      } as unknown as ServiceMap
    }
    const services = reputationContribution(context) as Record<string, (components: never) => ReputationService>
    const real = services[REPUTATION_SERVICE]!
    return {
      ...services,
      [REPUTATION_SERVICE]: (components: never) => {
        const service = real(components)
        const penalise = service.penalise.bind(service)
        service.penalise = (peer, offence, detail) => { log.entries.push({ by: context.peerId, peer, offence }); penalise(peer, offence, detail) }
        return service
      }
    } as unknown as ServiceMap
  }
}

/** A random 32-byte transaction id. */
export const fakeTxId = (): Uint8Array => randomBytes(32)

/** The attacker, hosted on a node of its own (only its libp2p is used). */
export class Attacker {
  readonly node: SorchaNode
  private stream: Stream | undefined
  private targetAddr: string | undefined
  private bomb: Uint8Array | undefined

  constructor (node: SorchaNode) {
    this.node = node
  }

  get peerId (): string {
    return this.node.libp2p.peerId.toString()
  }

  /** Advertises tx-gossip (requests are read and ignored), connects to `target` and opens a stream to it. */
  async attach (target: SorchaNode): Promise<void> {
    await this.attachTo(dialAddrs(target)[0]!)
  }

  /** attach() by the target's multiaddr (with its peer id), as an attacker in another process does. */
  async attachTo (addr: string): Promise<void> {
    this.targetAddr = addr
    await this.node.libp2p.handle(TX_GOSSIP_PROTOCOL, stream => { stream.addEventListener('message', () => {}) }, { force: true })
    this.stream = await this.node.libp2p.dialProtocol(multiaddr(addr), TX_GOSSIP_PROTOCOL)
  }

  /** Sends one frame (a GossipFrame's bytes, length-prefixed); false once the target has closed the stream. */
  send (frame: Uint8Array): boolean {
    return this.write(lp.encode.single(frame).subarray())
  }

  private write (bytes: Uint8Array): boolean {
    if (this.stream === undefined || this.stream.writeStatus !== 'writable') return false
    try {
      this.stream.send(bytes)
      return true
    } catch {
      return false
    }
  }

  /** Announces `count` ids it does not have, each of `size` bytes, in messages of at most 1,024. */
  announceFakes (count: number, size: number): void {
    for (let i = 0; i < count; i += 1024) {
      const items = Array.from({ length: Math.min(1024, count - i) }, () => ({ txId: fakeTxId(), sizeBytes: size, hopCount: 1, registerId: '', origin: 0 }))
      this.send(GossipFrame.encode({ inv: { items } }).finish())
    }
  }

  /** Frames of random bytes (each fails to decode, or decodes to nothing valid). */
  garbage (count: number): void {
    for (let i = 0; i < count; i++) this.send(new Uint8Array([0xff, ...randomBytes(64)]))
  }

  /**
   * A chunk (offset > 0, so no notification is needed) whose gzip data inflates far past its declared
   * length (16 MiB of zeros, compressed once and sent again each time, as an attacker would).
   */
  async decompressionBomb (): Promise<void> {
    this.bomb ??= new Uint8Array(await gzipAsync(Buffer.alloc(16 * 1024 * 1024)))
    const data = this.bomb
    this.send(GossipFrame.encode({ chunk: { txId: fakeTxId(), offset: 1, length: 1000, totalBytes: 2000, hopCount: 1, compression: 1, data, notification: undefined } }).finish())
  }

  /** A length prefix far above the frame limit (16 MiB). */
  oversizedFrame (): void {
    this.write(new Uint8Array([0x80, 0x80, 0x80, 0x08]))
  }

  /** Opens (and at once closes) `count` tx-gossip streams to the target, `parallel` at a time; returns how many opened. */
  async streamStorm (count: number, parallel = 4): Promise<number> {
    let opened = 0
    let left = count
    const addr = multiaddr(this.targetAddr!)
    await Promise.all(Array.from({ length: parallel }, async () => {
      while (left-- > 0) {
        try {
          const stream = await this.node.libp2p.dialProtocol(addr, TX_GOSSIP_PROTOCOL)
          opened++
          await stream.close().catch(() => {})
        } catch {
          // refused (libp2p's stream cap or the target's abort): keep storming
        }
      }
    }))
    return opened
  }
}
