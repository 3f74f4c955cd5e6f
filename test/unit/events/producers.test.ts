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

  it('takes a noted disconnect reason once, bounded', () => {
    noteDisconnectReason(PEER, 'banned')
    assert.equal(takeDisconnectReason(PEER), 'banned')
    assert.equal(takeDisconnectReason(PEER), undefined)
    for (let i = 0; i < 2000; i++) noteDisconnectReason(`p${i}`, 'x')
    assert.equal(takeDisconnectReason('p0'), undefined, 'the oldest notes are dropped beyond 1024')
    assert.equal(takeDisconnectReason('p1999'), 'x')
  })
})
