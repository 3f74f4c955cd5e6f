/**
 * Attacks on real nodes (issue 19 item 5): one malicious peer (test/support/attacker.ts) speaks the
 * tx-gossip wire format to a target while an honest publisher keeps publishing to it. Each attack
 * must be throttled or reported (the offences the target reports to its reputation service are
 * recorded), and every honest transaction must reach the target in the same run. No latency bounds
 * here: latency ratios are the attack benchmark's (npm run bench -- attack).
 *
 * The throttling attacks share one network whose target records the offences it reports (a port that
 * graylists nobody, so that each attack meets the limits rather than an earlier attack's graylist);
 * the garbage-frame attack runs against a target with the real reputation service, which bans the
 * attacker (reason invalid_message) and hangs up. Escalation, persistence and graylisting are
 * test/integration/reputation.test.ts's.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { PeerStatus } from '../../../protocols/models/index.ts'
import { gossipContribution, gossipOf, type GossipVerdict } from '../../../src/gossip/index.ts'
import type { ServiceContribution } from '../../../src/node/sorcha-node.ts'
import type { PeerList } from '../../../src/peers/types.ts'
import { peerHealthContribution } from '../../../src/health/index.ts'
import { reputationContribution } from '../../../src/reputation/index.ts'
import type { PeerLimits } from '../../../src/limits/peer-limits.ts'
import { startNetwork, type TestNetwork } from '../../../src/harness/index.ts'
import type { SorchaNode } from '../../../src/node/sorcha-node.ts'
import { Attacker, OffenceLog, recordingReputation } from '../../support/attacker.ts'
import { connect, quiet, waitFor } from '../../support/gossip-net.ts'

const offences = new OffenceLog()
let honest: TestNetwork
let hostile: TestNetwork
let publisher: SorchaNode
let target: SorchaNode
let attacker: Attacker
const verdicts: GossipVerdict[] = []

const limitsOf = (node: SorchaNode): PeerLimits => (node.libp2p.services as unknown as { limits: PeerLimits }).limits
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** Publishes `count` honest transactions of `size` bytes while `during` runs; resolves when the target holds every one. */
async function honestDelivery (count: number, size: number, during: () => Promise<void>): Promise<void> {
  const ids: string[] = []
  const publishing = (async () => {
    for (let i = 0; i < count; i++) {
      ids.push((await gossipOf(publisher).publish({ registerId: 'honest', payload: randomBytes(size) })).txId)
      await sleep(50)
    }
  })()
  await Promise.all([publishing, during()])
  const held = async (): Promise<number> => (await Promise.all(ids.map(async id => gossipOf(target).get(id)))).filter(tx => tx !== undefined).length
  await waitFor(async () => (await held()) === count, 120_000, 'every honest transaction at the target')
  assert.equal(await held(), count)
}

/** A publisher and a target (with `contributions`), and an attacker attached to the target. */
async function setUp (contributions: ServiceContribution[]): Promise<void> {
  // Honest transactions are announced and pulled (no inline push), so they go through the same
  // fetch scheduler the withholding attacks aim at; small per-peer limits so a short test trips them.
  const config = {
    gossip: { publishPushMaxBytes: 0, inlineThresholdBytes: 0, requestTimeoutMs: 1000, antiEntropyIntervalMs: 2000 },
    limits: { gossipAnnounce: { ratePerSec: 2000, burst: 4096 }, streams: { ratePerSec: 5, burst: 20 } }
  }
  honest = await startNetwork({ nodes: 2, bootstrap: 'none', config, contributions })
  hostile = await startNetwork({ nodes: 1, bootstrap: 'none', contributions: [] })
  ;[publisher, target] = honest.nodes as [SorchaNode, SorchaNode]
  await quiet([...honest.nodes, ...hostile.nodes])
  await connect(honest.nodes, [[0, 1]])
  attacker = new Attacker(hostile.nodes[0]!)
  await attacker.attach(target)
  verdicts.length = 0
  gossipOf(target).addEventListener('gossip:verdict', e => { if (e.detail.peer === attacker.peerId) verdicts.push(e.detail) })
  await waitFor(() => gossipOf(target).stats().peers === 2, 30_000, 'the attacker is a tx-gossip neighbour of the target')
}

const tearDown = async (): Promise<void> => { await Promise.all([honest?.stop(), hostile?.stop()]) }

describe('attacks on a real node: the attacker is throttled, honest delivery stays at 100 %', () => {
  before(async () => { await setUp([gossipContribution(), recordingReputation(offences)]) })
  after(tearDown)

  it('a flood of 20,480 announcements of transactions that do not exist is throttled (rate_limited)', async () => {
    await honestDelivery(10, 2000, async () => { attacker.announceFakes(20_480, 300) })
    assert.ok(limitsOf(target).throttled().tx_gossip_announce > 0)
    assert.ok(offences.of(target.peerId.toString(), attacker.peerId).includes('rate_limited'))
    // What got through is held to the attacker's share of the fetch budget (maxInflightPerSource,
    // 512 of 4,096), not the whole of it: in flight are at most its share and the honest ones.
    const inflight = gossipOf(target).stats().core!.inflight
    assert.ok(inflight >= 1 && inflight <= 512 + 10, `in flight ${inflight}`)
  })

  it('announce but never serve, many small ids, sustained: reported (unserved_fetch)', async () => {
    await honestDelivery(20, 2000, async () => {
      for (let i = 0; i < 20; i++) {
        attacker.announceFakes(200, 300)
        await sleep(150)
      }
    })
    assert.ok(verdicts.some(v => v.code === 'unserved-fetch'))
    assert.ok(offences.of(target.peerId.toString(), attacker.peerId).includes('unserved_fetch'))
  })

  it('announce but never serve, a few huge ids, sustained: honest transactions small and large still arrive', async () => {
    const before = offences.of(target.peerId.toString(), attacker.peerId).filter(o => o === 'unserved_fetch').length
    await honestDelivery(6, 512 * 1024, async () => {
      for (let i = 0; i < 10; i++) {
        attacker.announceFakes(3, 60 * 1024 * 1024)
        await sleep(300)
      }
    })
    await waitFor(() => offences.of(target.peerId.toString(), attacker.peerId).filter(o => o === 'unserved_fetch').length > before, 30_000, 'a huge fetch reported unserved')
  })

  it('a stream-opening storm is refused beyond the stream bucket (stream_storm)', async () => {
    await honestDelivery(5, 2000, async () => { await attacker.streamStorm(60) })
    assert.ok(limitsOf(target).throttled().streams > 0)
    assert.ok(offences.of(target.peerId.toString(), attacker.peerId).includes('stream_storm'))
  })

  it('an oversized frame and a decompression bomb are rejected and reported (oversized, decompression_bomb)', async () => {
    await honestDelivery(5, 2000, async () => {
      await attacker.decompressionBomb()
      await waitFor(() => offences.of(target.peerId.toString(), attacker.peerId).includes('decompression_bomb'), 30_000, 'the bomb reported')
      attacker.oversizedFrame()
      await waitFor(() => offences.of(target.peerId.toString(), attacker.peerId).includes('oversized'), 30_000, 'the oversized frame reported')
    })
    assert.ok(verdicts.some(v => v.verdict === 'reject' && v.code === 'decompression-failed'))
    assert.ok(verdicts.some(v => v.verdict === 'reject' && v.code === 'oversized-frame'))
  })

})

describe('attacks on a real node with its reputation service', () => {
  // The peer list (peerHealthContribution) is where the reputation service records its bans.
  before(async () => { await setUp([peerHealthContribution(), reputationContribution, gossipContribution()]) })
  after(tearDown)

  it('garbage frames: the target disconnects the attacker, and bans it (invalid_message) when it comes back for more', async () => {
    const list = (target.libp2p.services as unknown as { peerList: PeerList }).peerList
    const hungUp = async (): Promise<void> => { await waitFor(() => target.libp2p.getConnections(hostile.nodes[0]!.libp2p.peerId).length === 0, 30_000, 'the target hangs up on the attacker') }
    await honestDelivery(5, 2000, async () => { attacker.garbage(30) })
    assert.ok(verdicts.filter(v => v.verdict === 'reject' && v.code === 'malformed-frame').length > 0)
    await hungUp()
    const banned = async (): Promise<boolean> => (await list.get(attacker.peerId))?.status === PeerStatus.PEER_STATUS_BANNED
    // Disconnected at the disconnect threshold; it dials back and sends more until the ban threshold.
    for (let round = 0; round < 5 && !(await banned()); round++) {
      try {
        await attacker.attach(target)
      } catch {
        // Refused: banned meanwhile, or the last connection was still closing. One burst of 30 frames
        // can reach the ban threshold before the hang-up, and the ban's record goes through the peer
        // list's write queue after the connections close: at load 9 a refusal came before the record
        // (status not yet banned), and the loop used to stop there. Look again.
        await sleep(200)
        continue
      }
      attacker.garbage(30)
      await hungUp()
    }
    await waitFor(banned, 30_000, 'the attacker banned')
    const record = await list.get(attacker.peerId)
    assert.deepEqual([record?.status, record?.banCode], [PeerStatus.PEER_STATUS_BANNED, 'invalid_message'])
    await assert.rejects(attacker.attach(target), 'a banned peer cannot come back')
  })
})
