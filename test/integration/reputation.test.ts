/**
 * Reputation on real nodes (docs/security.md): a peer that sends invalid gossip is graylisted, then
 * banned with reason `invalid_message`; the ban shows in the API and the event log with its expiry,
 * survives a restart, and a second offence after it expired earns a ban twice as long. A successful
 * ping does not lower the misbehaviour score.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import * as lp from 'it-length-prefixed'
import { PeerStatus } from '../../protocols/models/index.ts'
import { Transaction } from '../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { eventLogContribution, type EventLogService, type NodeEvent } from '../../src/events/index.ts'
import { gatewayContribution, type GatewayService } from '../../src/gateway/index.ts'
import { gossipContribution, gossipOf, topicOf, txIdOf, TX_GOSSIP_PROTOCOL, type GossipsubDistributor } from '../../src/gossip/index.ts'
import { directContribution } from '../../src/direct/index.ts'
import { DIRECT_PROTOCOL } from '../../src/direct/constants.ts'
import { PEER_EXCHANGE_PROTOCOL, topologyContribution } from '../../src/discovery/index.ts'
import { dialAddrs, startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import { peerHealthContribution } from '../../src/health/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import type { PeerList } from '../../src/peers/index.ts'
import { reputationContribution, type ReputationService } from '../../src/reputation/index.ts'
import { rest } from '../helpers/admin-clients.ts'

const BAN_BASE_MS = 4000
// Scores halve over a day here, not 10 minutes: the thresholds (graylist at 30, within 0.01) are met
// by offences in quick succession, and on a loaded machine "quick" can stretch to seconds. A day keeps
// the decay between this test's offences below the tolerance for ~40 s; the decay itself is unit-tested.
const HALF_LIFE_MS = 24 * 60 * 60 * 1000
const GATEWAY = { enabled: true, grpc: { port: 0 }, rest: { port: 0 }, rateLimit: { perSecond: 0 } }
const services = (node: SorchaNode): { peerList: PeerList, reputation: ReputationService, eventLog: EventLogService, gateway: GatewayService, ping: { ping: (peer: unknown) => Promise<number> } } =>
  node.libp2p.services as never
const GARBAGE = lp.encode.single(new Uint8Array([0xff, 0xff, 0xff, 0x01]))

async function until (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`)
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

/** Events of `type` about `peer` in `node`'s log (written in batches: poll with until()). */
async function eventsOf (node: SorchaNode, type: NodeEvent['type'], peer: string): Promise<NodeEvent[]> {
  return (await services(node).eventLog.query({ types: [type], peerId: peer, limit: 100 })).events
}

describe('reputation on real nodes', () => {
  let net: TestNetwork
  let victim: SorchaNode
  let rogue: SorchaNode
  let rogueId: string
  let stream: Stream | undefined

  /** The rogue sends `count` garbage frames, each answered by a reject verdict; it redials when hung up on. */
  async function offend (target: SorchaNode, count: number): Promise<void> {
    let rejects = 0
    const onVerdict = (e: CustomEvent<{ peer: string, verdict: string }>): void => { if (e.detail.peer === rogueId && e.detail.verdict === 'reject') rejects++ }
    gossipOf(target).addEventListener('gossip:verdict', onVerdict)
    try {
      const send = async (): Promise<void> => {
        try {
          if (stream === undefined || stream.status !== 'open' || rogue.libp2p.getConnections(target.peerId).length === 0) {
            stream = await rogue.libp2p.dialProtocol(multiaddr(dialAddrs(target)[0]!), TX_GOSSIP_PROTOCOL)
          }
          stream.send(GARBAGE)
        } catch (err) {
          // Hung up on while dialling or sending (the victim disconnects at the sixth offence): sent
          // again below, on a new connection. Anything else is a failure.
          if (!['ConnectionClosedError', 'ConnectionClosingError', 'StreamStateError', 'StreamResetError', 'StreamAbortedError', 'MuxerClosedError'].includes((err as Error).name)) throw err
          stream = undefined
        }
      }
      for (let sent = 0; sent < count; sent++) {
        const before = rejects
        await send()
        // A frame lost to a hang-up is sent again on a new connection.
        await until('the frame is rejected', async () => {
          if (rejects > before) return true
          if (stream?.status !== 'open' || rogue.libp2p.getConnections(target.peerId).length === 0) await send()
          return rejects > before
        })
      }
    } finally {
      gossipOf(target).removeEventListener('gossip:verdict', onVerdict)
    }
  }

  /** Offends `atLeast` times, then once at a time until the ban (at most `atMost` offences). */
  async function offendUntilBanned (target: SorchaNode, atLeast: number, atMost: number): Promise<void> {
    const list = services(target).peerList
    await offend(target, atLeast)
    for (let extra = atLeast; extra < atMost && !list.isBanned(rogueId, Date.now()); extra++) {
      await until('the ban or the next verdict', () => list.isBanned(rogueId, Date.now()), 2000).catch(async () => {
        // Not banned yet: one more (a dial the ban refused in the meantime is fine).
        await offend(target, 1).catch((err: unknown) => { if (!list.isBanned(rogueId, Date.now())) throw err })
      })
    }
    await until('the ban', () => list.isBanned(rogueId, Date.now()))
  }

  before(async () => {
    net = await startNetwork({
      nodes: 1,
      bootstrap: 'none',
      config: { gateway: GATEWAY, reputation: { banBaseMs: BAN_BASE_MS, halfLifeMs: HALF_LIFE_MS } },
      contributions: [eventLogContribution, peerHealthContribution(), reputationContribution, gossipContribution(), gatewayContribution]
    })
    victim = net.nodes[0]!
    rogue = await net.addNode({})
    rogueId = rogue.peerId.toString()
  })
  after(async () => { await net?.stop() })

  it('graylists after three invalid messages; a successful ping does not lower the score', async () => {
    await offend(victim, 3)
    const rep = services(victim).reputation
    assert.equal(rep.isGraylisted(rogueId), true)
    const before = rep.standing(rogueId).score
    assert.ok(before >= 29.99 && before <= 30, `score ${before}`)
    await services(victim).ping.ping(rogue.peerId)
    await services(victim).peerList.recordSuccess(rogueId, { now: Date.now(), latencyMs: 1 })
    assert.equal(rep.isGraylisted(rogueId), true, `still graylisted after a good ping ${JSON.stringify(rep.standing(rogueId))}`)
    assert.ok(rep.standing(rogueId).score >= before * 0.99, 'the score only decays')
    await until('the graylisting is logged', async () => (await eventsOf(victim, 'peer_graylisted', rogueId)).some(e => e.reason === 'invalid_message'))
  })

  it('disconnects at the sixth and bans at about the tenth, with reason invalid_message and an expiry shown by the API and the event log', async () => {
    await offend(victim, 3)
    await until('the disconnect is logged', async () => (await eventsOf(victim, 'peer_disconnected', rogueId)).some(e => e.reason === 'reputation'))
    // The 10th reaches 100 points if they come at once; the score decays meanwhile, so one or two more may be needed.
    const list = services(victim).peerList
    await offendUntilBanned(victim, 4, 6)
    const banned = await list.get(rogueId)
    assert.deepEqual([banned?.banCode, banned?.banCount, banned!.bannedUntilMs - banned!.lastBanMs], ['invalid_message', 1, BAN_BASE_MS])
    const api = await rest<{ peer: Record<string, unknown> }>(services(victim).gateway.current!.restUrl, 'GET', `/v1/peers/${rogueId}`)
    assert.equal(api.status, 200)
    assert.deepEqual([api.body.peer.status, api.body.peer.banCode, Number(api.body.peer.bannedUntilMs), api.body.peer.banCount], ['PEER_STATUS_BANNED', 'invalid_message', banned!.bannedUntilMs, 1])
    await until('the ban is logged', async () => (await eventsOf(victim, 'peer_banned', rogueId)).length > 0)
    const [event] = await eventsOf(victim, 'peer_banned', rogueId)
    assert.deepEqual([event?.reason, event?.data.untilMs, event?.data.count], ['invalid_message', banned!.bannedUntilMs, 1])
    await until('the rogue is hung up on', () => victim.libp2p.getConnections(rogue.peerId).length === 0)
  })

  it('the ban survives a restart; after it ends, the next offence earns a ban twice as long', async () => {
    const first = (await services(victim).peerList.get(rogueId))!
    await victim.stop()
    victim = await net.createNode('node-0')
    net.nodes[0] = victim
    await victim.start()
    const list = services(victim).peerList
    const again = await list.get(rogueId)
    assert.deepEqual([again?.banCode, again?.banCount, again?.bannedUntilMs, again?.lastBanMs], ['invalid_message', 1, first.bannedUntilMs, first.lastBanMs])
    const now = Date.now()
    assert.equal(list.isBanned(rogueId, now), now < first.bannedUntilMs, 'banned until its expiry, restart or not')
    if (now < first.bannedUntilMs - 1000) {
      // Refused while banned: the victim never sees the connection open.
      await rogue.libp2p.dial(multiaddr(dialAddrs(victim)[0]!)).catch(() => undefined)
      await until('the refused connection closes', () => rogue.libp2p.getConnections(victim.peerId).length === 0)
    }
    await until('the ban ends', async () => (await list.get(rogueId))?.status !== PeerStatus.PEER_STATUS_BANNED, BAN_BASE_MS + 60_000)
    assert.equal((await list.get(rogueId))?.banCount, 1, 'the repeat count outlives the ban')
    stream = undefined
    await offendUntilBanned(victim, 10, 12)
    const second = (await list.get(rogueId))!
    assert.deepEqual([second.banCode, second.banCount, second.bannedUntilMs - second.lastBanMs], ['invalid_message', 2, 2 * BAN_BASE_MS])
  })
})

describe('reputation with the gossipsub strategy', () => {
  let net: TestNetwork | undefined
  after(async () => { await net?.stop() })

  it('a peer publishing forged transactions is penalised through gossipsub\'s verdicts and score, and banned', async () => {
    net = await startNetwork({
      nodes: 2,
      bootstrap: 'none',
      config: { gossip: { strategy: 'gossipsub', registers: ['reg-a'], gossipsub: { ipColocationWhitelist: ['127.0.0.1'], heartbeatIntervalMs: 200 } } },
      contributions: [peerHealthContribution(), reputationContribution, gossipContribution()]
    })
    const [victim, rogue] = net.nodes as [SorchaNode, SorchaNode]
    const rogueId = rogue.peerId.toString()
    const list = services(victim).peerList
    const offences = new Set<string>()
    const rep = services(victim).reputation
    const penalise = rep.penalise.bind(rep)
    rep.penalise = (peer, offence, detail) => { if (peer === rogueId) offences.add(`${offence}:${detail ?? ''}`); penalise(peer, offence, detail) }
    const pubsub = (gossipOf(rogue) as GossipsubDistributor).pubsub
    for (let i = 0; !list.isBanned(rogueId, Date.now()); i++) {
      if (i > 2000) assert.fail('the forger was never banned')
      if (rogue.libp2p.getConnections(victim.peerId).length === 0) await rogue.libp2p.dial(multiaddr(dialAddrs(victim)[0]!)).catch(() => undefined)
      const id = txIdOf(new TextEncoder().encode(`original ${i}`))
      const forged = Transaction.encode({ notification: { txId: id, registerId: 'reg-a', sender: rogueId, timestampMs: Date.now(), sizeBytes: 6, contentType: 'text/plain', hopCount: 0 }, payload: new TextEncoder().encode('forged') }).finish()
      await pubsub.publish(topicOf('reg-a'), forged).catch(() => undefined)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    const ban = await list.get(rogueId)
    assert.ok(['invalid_message', 'protocol_violation'].includes(ban!.banCode), ban!.banCode)
    assert.ok(offences.has('invalid_message:tx-id-mismatch'), `offences: ${[...offences].join(', ')}`)
    await until('the forger is hung up on', () => victim.libp2p.getConnections(rogue.peerId).length === 0)
  })
})

describe('a peer that goes away mid-message is not misbehaving', () => {
  let net: TestNetwork | undefined
  after(async () => { await net?.stop() })

  // A crash-looping peer (killed while a peer-exchange request or a direct message of its was on the
  // wire) once earned a protocol_violation per crash from the nodes it came back to: graylisted after
  // three, it could no longer deliver its transactions to them (the crash campaign's failure in CI).
  it('a request stream reset half-way earns no offence; an undecodable request does', async () => {
    net = await startNetwork({ nodes: 2, bootstrap: 'none', contributions: [reputationContribution, directContribution, topologyContribution] })
    const [victim, rogue] = net.nodes as [SorchaNode, SorchaNode]
    const rogueId = rogue.peerId.toString()
    const offences: string[] = []
    const rep = services(victim).reputation
    const penalise = rep.penalise.bind(rep)
    rep.penalise = (peer, offence, detail) => { if (peer === rogueId) offences.push(`${offence}: ${detail ?? ''}`); penalise(peer, offence, detail) }
    const addr = multiaddr(dialAddrs(victim)[0]!)
    // A length prefix of 50 bytes followed by 5 of them, then the stream is reset: the sender crashed.
    const half = new Uint8Array([50, 1, 2, 3, 4, 5])
    for (const protocol of [PEER_EXCHANGE_PROTOCOL, DIRECT_PROTOCOL]) {
      for (let i = 0; i < 3; i++) {
        const stream = await rogue.libp2p.dialProtocol(addr, protocol)
        stream.send(half)
        await new Promise(resolve => setTimeout(resolve, 50))
        stream.abort(new Error('the sender crashed'))
      }
    }
    // Then one undecodable message on each: the offences that must be counted (and the only ones).
    for (const protocol of [PEER_EXCHANGE_PROTOCOL, DIRECT_PROTOCOL]) {
      const stream = await rogue.libp2p.dialProtocol(addr, protocol)
      stream.send(GARBAGE)
      await until(`the undecodable ${protocol} message is penalised`, () => offences.length > 0 && offences.at(-1)!.includes(protocol === DIRECT_PROTOCOL ? 'direct' : 'peer exchange'))
      stream.abort(new Error('done'))
    }
    assert.deepEqual(offences, ['protocol_violation: peer exchange request: undecodable', 'protocol_violation: direct message: undecodable'])
    assert.equal(rep.isGraylisted(rogueId), false)
  })
})

describe('IP-range diversity and outbound protection on real nodes', () => {
  let net: TestNetwork | undefined
  after(async () => { await net?.stop() })

  it('refuses the third peer from one /24 when loopback is not allow-listed; tags an outbound peer as protected', async () => {
    net = await startNetwork({
      nodes: 4,
      bootstrap: 'none',
      contributions: [reputationContribution],
      configFor: i => i === 0 ? { connections: { allow: [], ipRangeAllow: [], maxPeersPerIpRange: 2 } } : {}
    })
    const [target, a, b, c] = net.nodes as [SorchaNode, SorchaNode, SorchaNode, SorchaNode]
    const addr = multiaddr(dialAddrs(target)[0]!)
    await a.libp2p.dial(addr)
    await b.libp2p.dial(addr)
    await until('two peers connected', () => target.libp2p.getPeers().length === 2)
    await c.libp2p.dial(addr).catch(() => undefined)
    await until('the third peer\'s connection is gone', () => c.libp2p.getConnections(target.peerId).length === 0)
    assert.deepEqual(target.libp2p.getPeers().map(p => p.toString()).sort(), [a.peerId.toString(), b.peerId.toString()].sort())
    // A peer already connected may open another connection.
    await a.libp2p.dial(addr, { force: true })
    // The target's own dial out to a peer of a full range is refused too; one of its own peers is fine.
    await assert.rejects(target.libp2p.dial(multiaddr(dialAddrs(c)[0]!)))
    const out = await target.libp2p.dial(multiaddr(dialAddrs(a)[0]!), { force: true })
    assert.equal(out.direction, 'outbound')
    await until('the outbound peer is protected', async () => (await target.libp2p.peerStore.get(a.peerId)).tags.get('sorcha-protected-outbound')?.value === 100)
  })
})
