import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TypedEventEmitter } from 'main-event'
import { PeerNode, PeerStatus } from '../../../protocols/models/index.ts'
import { noteDisconnectReason, takeDisconnectReason } from '../../../src/events/disconnect-reasons.ts'
import { attachProducers } from '../../../src/events/producers.ts'
import type { EmitFields, EventSink, NodeEventType } from '../../../src/events/types.ts'
import { VERDICT_EVENTS_PER_WINDOW, VERDICT_WINDOW_MS, VerdictSampler } from '../../../src/events/verdicts.ts'

const PEER = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'

class RecordingSink implements EventSink {
  readonly events: Array<{ type: NodeEventType } & EmitFields> = []
  emit (type: NodeEventType, fields: EmitFields = {}): void { this.events.push({ type, ...fields }) }
  types (): string[] { return this.events.map(e => e.type) }
}

describe('event producers', () => {
  it('samples verdicts: rejects one by one up to the bound, accepts and the rest as one summary per window', () => {
    const sink = new RecordingSink()
    let now = 0
    const sampler = new VerdictSampler(sink, () => now)
    for (let i = 0; i < 10_000; i++) sampler.add({ peer: PEER, verdict: 'accept', code: 'ok' })
    for (let i = 0; i < VERDICT_EVENTS_PER_WINDOW + 50; i++) sampler.add({ peer: PEER, verdict: 'reject', code: 'bad-hash' })
    assert.equal(sink.events.length, VERDICT_EVENTS_PER_WINDOW, 'accepts make no event of their own')
    assert.deepEqual(sink.events[0], { type: 'peer_verdict', peerId: PEER, reason: 'bad-hash', data: { verdict: 'reject' } })
    now = VERDICT_WINDOW_MS
    sampler.add({ peer: PEER, verdict: 'ignore', code: 'too-late' })
    const summaries = sink.events.slice(VERDICT_EVENTS_PER_WINDOW, VERDICT_EVENTS_PER_WINDOW + 2)
    assert.deepEqual(summaries.map(e => [e.reason, e.data?.count]), [['accepted', 10_000], ['suppressed', 50]])
    assert.equal(sink.events.at(-1)?.reason, 'too-late', 'a new window records verdicts one by one again')
  })

  it('turns peer-list changes into discovered, status, score-band, banned and unbanned events', () => {
    const sink = new RecordingSink()
    const bus = new TypedEventEmitter<Record<string, CustomEvent>>()
    const peerList = Object.assign(new TypedEventEmitter<Record<string, CustomEvent>>(), { snapshot: () => [] })
    const detach = attachProducers({ events: bus, peerList } as never, sink, () => 0)
    const node = (over: Partial<PeerNode>): PeerNode => PeerNode.fromPartial({ peerId: PEER, status: PeerStatus.PEER_STATUS_UNKNOWN, score: 20, ...over })
    peerList.safeDispatchEvent('peer:added', { detail: node({ source: 3 }) })
    peerList.safeDispatchEvent('peer:updated', { detail: node({ score: 24 }) })
    peerList.safeDispatchEvent('peer:updated', { detail: node({ status: PeerStatus.PEER_STATUS_HEALTHY, score: 80 }) })
    peerList.safeDispatchEvent('peer:banned', { detail: node({ status: PeerStatus.PEER_STATUS_BANNED, score: 0, banReason: 'spam', bannedUntilMs: 5000 }) })
    peerList.safeDispatchEvent('peer:unbanned', { detail: node({ status: PeerStatus.PEER_STATUS_UNKNOWN }) })
    assert.deepEqual(sink.types(), ['peer_discovered', 'peer_status_changed', 'peer_score_changed', 'peer_banned', 'peer_unbanned'], 'a score move inside its band is no event')
    assert.deepEqual(sink.events[0]?.data, { source: 'dht', addresses: 0 })
    assert.deepEqual(sink.events[1]?.data, { from: 'unknown', to: 'healthy', score: 80, consecutiveFailures: 0 })
    assert.deepEqual(sink.events[2]?.data, { score: 80, band: 75, previousBand: 0 })
    assert.deepEqual([sink.events[3]?.reason, sink.events[3]?.data], ['spam', { untilMs: 5000, until: new Date(5000).toISOString() }])
    detach()
    peerList.safeDispatchEvent('peer:added', { detail: node({ peerId: 'other' }) })
    assert.equal(sink.events.length, 5, 'nothing after detach')
  })

  it('gives every disconnect a reason: the one noted (also for the peer\'s other connections closing with it), else who ended it', () => {
    const sink = new RecordingSink()
    const bus = new TypedEventEmitter<Record<string, CustomEvent>>()
    let now = 1_000
    const detach = attachProducers({ events: bus } as never, sink, () => now)
    const open = (peer: string, id: string): EventTarget => {
      const connection = Object.assign(new EventTarget(), { id, direction: 'inbound', remotePeer: { toString: () => peer }, remoteAddr: { toString: () => '/ip4/127.0.0.1/tcp/1' }, timeline: { open: 500 } })
      bus.safeDispatchEvent('connection:open', { detail: connection })
      return connection
    }
    const close = (connection: EventTarget, init: { local?: boolean, error?: Error }): void => { connection.dispatchEvent(Object.assign(new Event('close'), init)) }
    const [c1, c2, c3, c4, c5] = [open(PEER, 'c1'), open(PEER, 'c2'), open('other', 'c3'), open('other', 'c4'), open('third', 'c5')]
    noteDisconnectReason(PEER, 'banned')
    close(c1!, { local: true })
    close(c2!, { local: true })
    close(c3!, { local: false })
    close(c4!, { error: Object.assign(new Error('reset\nby peer'), { name: 'StreamResetError' }) })
    now = 10_000
    close(c5!, { local: true })
    const closes = sink.events.filter(e => e.type === 'peer_disconnected')
    assert.deepEqual(closes.map(e => [e.peerId, e.reason]), [[PEER, 'banned'], [PEER, 'banned'], ['other', 'remote_closed'], ['other', 'connection_error'], ['third', 'local_closed']])
    assert.deepEqual(closes[3]?.data, { direction: 'inbound', connectionId: 'c4', durationMs: 500, error: 'StreamResetError: reset' })
    assert.equal(sink.events.filter(e => e.type === 'peer_connected').length, 5)
    detach()
  })

  it('names a local close while connections.max or more are open `connection_limit` (libp2p\'s pruner)', () => {
    const sink = new RecordingSink()
    const bus = new TypedEventEmitter<Record<string, CustomEvent>>()
    let open = 3
    const detach = attachProducers({ events: bus, connectionManager: { getConnections: () => new Array(open), getMaxConnections: () => 2 } } as never, sink, () => 1_000)
    const connect = (peer: string): EventTarget => {
      const connection = Object.assign(new EventTarget(), { id: peer, direction: 'outbound', remotePeer: { toString: () => peer }, remoteAddr: { toString: () => '/ip4/127.0.0.1/tcp/1' }, timeline: { open: 500 } })
      bus.safeDispatchEvent('connection:open', { detail: connection })
      return connection
    }
    const [pruned, later, remote] = [connect('pruned'), connect('later'), connect('remote')]
    pruned!.dispatchEvent(Object.assign(new Event('close'), { local: true }))
    open = 1
    later!.dispatchEvent(Object.assign(new Event('close'), { local: true }))
    open = 5
    remote!.dispatchEvent(Object.assign(new Event('close'), { local: false }))
    assert.deepEqual(sink.events.filter(e => e.type === 'peer_disconnected').map(e => [e.peerId, e.reason]), [['pruned', 'connection_limit'], ['later', 'local_closed'], ['remote', 'remote_closed']])
    detach()
  })

  it('records the NAT status it finds at attach, then each change', () => {
    const sink = new RecordingSink()
    const address = Object.assign(new TypedEventEmitter<Record<string, CustomEvent>>(), { status: () => ({ natType: 'full-cone', reachability: 'public', method: 'stun', externalAddress: '203.0.113.7' }) })
    const detach = attachProducers({ events: new TypedEventEmitter(), address } as never, sink, () => 0)
    address.safeDispatchEvent('address:changed', { detail: { natType: 'full-cone', reachability: 'public', method: 'stun', externalAddress: '203.0.113.7' } })
    address.safeDispatchEvent('address:changed', { detail: { natType: 'symmetric', reachability: 'private', method: 'stun', externalAddress: '203.0.113.7' } })
    assert.deepEqual(sink.events.map(e => [e.type, e.reason]), [['nat_changed', 'current'], ['nat_changed', 'changed']], 'an unchanged status is no event')
    assert.deepEqual(sink.events[1]?.data, { natType: 'symmetric', reachability: 'private', method: 'stun', externalAddress: '203.0.113.7', previousNatType: 'full-cone', previousReachability: 'public' })
    detach()
  })

  it('takes a noted disconnect reason once, bounded', () => {
    noteDisconnectReason(PEER, 'banned')
    assert.equal(takeDisconnectReason(PEER), 'banned')
    assert.equal(takeDisconnectReason(PEER), undefined)
    for (let i = 0; i < 2000; i++) noteDisconnectReason(`p${i}`, 'x')
    assert.equal(takeDisconnectReason('p0'), undefined, 'the oldest notes are dropped beyond 1024')
    assert.equal(takeDisconnectReason('p1999'), 'x')
  })
})
