/**
 * The registers part of the topology (issue 20): the per-register target degree in the core, and the
 * peer records that peer exchange carries (protocols/topology/SPEC.md §8, §10).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '../../../protocols/common/rng.ts'
import { PeerRole, type PeerCapabilities } from '../../../protocols/models/index.ts'
import {
  chooseExchangePeers, EXCHANGE_LIMITS, judgeExchangeResponse, TopologyCore, type RegisterView, type TopologyEffect, type TopologyParams
} from '../../../protocols/topology/index.ts'
import { PeerCapabilities as CapsCodec } from '../../../protos/gen/sorcha/p2p/v1/models.ts'
import { PeerExchangeRequest, PeerExchangeResponse } from '../../../protos/gen/sorcha/p2p/v1/peer_exchange.ts'
import { TEST_TOPOLOGY_PARAMS } from '../../helpers/topology-params.ts'

/** At target with one connection and one known peer, so that only the register rules act. */
const PARAMS: TopologyParams = { ...TEST_TOPOLOGY_PARAMS, registerDegree: 2, minConnections: 1, targetKnownPeers: 1, maxTrackedPeers: 16 }

const dials = (effects: TopologyEffect[]): string[] => effects.flatMap(e => e.type === 'dial' ? [e.peerId] : [])
const lookups = (effects: TopologyEffect[]): string[] => effects.flatMap(e => e.type === 'find-providers' ? [e.registerId] : [])
const view = (registerId: string, connected: number, candidates: string[]): RegisterView =>
  ({ registerId, connected, candidates: candidates.map(peerId => ({ peerId, addresses: ['/ip4/127.0.0.1/tcp/1'] })) })
/** A started core at target (one connection, known peers enough), so that only the register rules dial. */
const started = (params: Partial<TopologyParams> = {}): TopologyCore => {
  const core = new TopologyCore({ ...PARAMS, ...params }, createRng(1))
  core.handle({ type: 'start', now: 0, bootstrap: [] })
  return core
}
const tick = (core: TopologyCore, now: number, registers: RegisterView[]): TopologyEffect[] =>
  core.handle({ type: 'tick', now, connectedPeers: new Set(['n0']), knownPeers: 10, candidates: [], registers })

const caps = (over: Partial<PeerCapabilities> = {}): PeerCapabilities => ({ protocols: [], registers: [], allRegisters: false, roles: [], maxTransactionBytes: 0, recordSeq: 0, ...over })

describe('topology: per-register target degree', () => {
  it('dials serving peers of each register below the degree, best first, counting dials in flight', () => {
    const core = started()
    const first = tick(core, 0, [view('r1', 0, ['a', 'b', 'c']), view('r2', 1, ['d', 'e']), view('r3', 2, ['f'])])
    assert.deepEqual(dials(first), ['a', 'b', 'd'], 'r1 needs 2, r2 needs 1, r3 is at its degree')
    assert.deepEqual(lookups(first), [])
    assert.deepEqual(dials(tick(core, 1, [view('r1', 0, ['a', 'b', 'c']), view('r2', 1, ['d', 'e'])])), [], 'the dials in flight count')
    core.handle({ type: 'dial-result', now: 2, peerId: 'a', ok: false })
    assert.deepEqual(dials(tick(core, 3, [view('r1', 0, ['a', 'b', 'c'])])), ['c'], 'a failed peer backs off; the next is dialled')
    assert.deepEqual(core.snapshot().registers.short, ['r1'])
  })

  it('keeps within dialConcurrency across registers', () => {
    const core = started({ dialConcurrency: 3, registerDegree: 4 })
    assert.equal(dials(tick(core, 0, [view('r1', 0, ['a', 'b', 'c', 'd']), view('r2', 0, ['e', 'f'])])).length, 3)
  })

  it('looks up providers of a register with too few candidates, one lookup at a time, backing off when it finds none', () => {
    const core = started()
    const first = tick(core, 0, [view('r1', 0, ['a']), view('r2', 0, [])])
    assert.deepEqual(dials(first), ['a'])
    assert.deepEqual(lookups(first), ['r1'], 'r1 still lacks one; r2 waits for the lookup in flight')
    assert.equal(core.nextWakeup()! >= 0, true)
    core.handle({ type: 'providers-result', now: 10, registerId: 'r1', found: 0, ok: true })
    assert.deepEqual(lookups(tick(core, 11, [view('r1', 0, []), view('r2', 0, [])])), ['r2'])
    core.handle({ type: 'providers-result', now: 20, registerId: 'r2', found: 3, ok: true })
    assert.deepEqual(lookups(tick(core, 21, [view('r1', 0, []), view('r2', 0, [])])), [], 'both wait discoveryIntervalMs')
    assert.deepEqual(lookups(tick(core, 10 + 30_000, [view('r1', 0, []), view('r2', 0, [])])), ['r1'])
    core.handle({ type: 'providers-result', now: 30_010, registerId: 'r1', found: 0, ok: false })
    assert.deepEqual(lookups(tick(core, 30_011 + 30_000, [view('r1', 0, [])])), [], 'a second fruitless lookup doubles the wait')
    assert.deepEqual(lookups(tick(core, 30_010 + 60_000, [view('r1', 0, [])])), ['r1'])
    assert.equal(core.snapshot().registers.providerLookups, 4)
  })

  it('does nothing with degree 0, for a node serving every register (no views), or at the degree', () => {
    const acts = (effects: TopologyEffect[]): string[] => [...dials(effects), ...lookups(effects)]
    assert.deepEqual(acts(tick(started({ registerDegree: 0 }), 0, [view('r1', 0, ['a'])])), [])
    assert.deepEqual(acts(tick(started(), 0, [])), [])
    const core = started()
    assert.deepEqual(acts(tick(core, 0, [view('r1', 2, ['a'])])), [])
    assert.equal(core.nextWakeup(), 5000, 'nothing short: the periodic tick')
  })
})

describe('peer exchange: peer records', () => {
  const P = ['12D3KooWAbCdEfGhJkLmNoPqRsTuVwXyZ123456789123456789a', '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK', 'QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N'] as const
  const opts = { asked: 64, self: P[0], from: P[1] }

  it('the responder passes on what it knows each peer serves, without protocols, and bare records beyond maxHearsayRegisters', () => {
    const many = Array.from({ length: EXCHANGE_LIMITS.maxHearsayRegisters + 1 }, (_, i) => `r${i}`)
    const known = [
      { peerId: 'x', addresses: ['/ip4/10.0.0.1/tcp/1'], capabilities: caps({ protocols: ['/a/1'], registers: ['r1'], roles: [PeerRole.PEER_ROLE_RELAY], maxTransactionBytes: 9, recordSeq: 0 }) },
      { peerId: 'y', addresses: ['/ip4/10.0.0.2/tcp/1'], capabilities: caps({ registers: many }) },
      { peerId: 'z', addresses: ['/ip4/10.0.0.3/tcp/1'], capabilities: caps({ protocols: ['/a/1'] }) }
    ]
    const byId = new Map(chooseExchangePeers(known, { max: 10, requester: 'q', rng: createRng(1) }).map(p => [p.peerId, p]))
    assert.deepEqual(byId.get('x')?.capabilities, caps({ registers: ['r1'], roles: [PeerRole.PEER_ROLE_RELAY] }))
    assert.equal(byId.get('y')?.capabilities, undefined)
    assert.equal(byId.get('z')?.capabilities, undefined, 'a record that says nothing of registers is not passed on')
  })

  it('the responder keeps within its byte budget, passing peers on without their records once records no longer fit', () => {
    const regs = Array.from({ length: EXCHANGE_LIMITS.maxHearsayRegisters }, (_, i) => `register-${'x'.repeat(100)}-${i}`)
    const known = Array.from({ length: 64 }, (_, i) => ({ peerId: `p${i}`, addresses: ['/ip4/10.0.0.1/tcp/1'], capabilities: caps({ registers: regs }) }))
    const chosen = chooseExchangePeers(known, { max: 64, requester: 'q', rng: createRng(2) })
    assert.equal(chosen.length, 64)
    const withRecord = chosen.filter(p => p.capabilities !== undefined).length
    assert.ok(withRecord > 0 && withRecord < 64, `${withRecord} with records`)
    const bytes = PeerExchangeResponse.encode({ peers: chosen, self: undefined }).finish().length
    assert.ok(bytes <= EXCHANGE_LIMITS.peersBudgetBytes, `${bytes} bytes`)
  })

  it('the requester takes the responder\'s own record and the hearsay records, and rejects an invalid one', () => {
    const ok = judgeExchangeResponse([{ peerId: P[2], addresses: ['/ip4/10.0.0.1/tcp/1'], capabilities: caps({ registers: ['r1'], protocols: ['/x/1'] }) }], { ...opts, record: caps({ allRegisters: true }) })
    assert.equal(ok.verdict, 'accept')
    assert.deepEqual(ok.verdict === 'accept' && ok.self, caps({ allRegisters: true }))
    assert.deepEqual(ok.verdict === 'accept' && ok.peers[0]?.capabilities, caps({ registers: ['r1'] }), 'protocols dropped')
    const badSelf = judgeExchangeResponse([], { ...opts, record: caps({ registers: ['has space'] }) })
    assert.deepEqual(badSelf, { verdict: 'reject', code: 'bad-record' })
    const both = judgeExchangeResponse([], { ...opts, record: caps({ registers: ['r1'], allRegisters: true }) })
    assert.deepEqual(both, { verdict: 'reject', code: 'bad-record' }, 'all registers and a list contradict')
    const tooMany = Array.from({ length: EXCHANGE_LIMITS.maxHearsayRegisters + 1 }, (_, i) => `r${i}`)
    const badHearsay = judgeExchangeResponse([{ peerId: P[2], addresses: ['/ip4/10.0.0.1/tcp/1'], capabilities: caps({ registers: tooMany }) }], opts)
    assert.deepEqual(badHearsay, { verdict: 'reject', code: 'bad-record' })
  })

  it('the largest valid record fits the advertisement bound, and the request bound', () => {
    const record = caps({
      registers: Array.from({ length: 1024 }, (_, i) => `${i}`.padEnd(128, 'r')),
      roles: Array.from({ length: 8 }, () => PeerRole.PEER_ROLE_RELAY),
      protocols: Array.from({ length: 64 }, (_, i) => `/${i}`.padEnd(256, 'p')),
      maxTransactionBytes: Number.MAX_SAFE_INTEGER
    })
    assert.ok(CapsCodec.encode(record).finish().length <= EXCHANGE_LIMITS.maxAdvertBytes)
    assert.ok(PeerExchangeRequest.encode({ maxPeers: 0xffffffff, self: record }).finish().length <= EXCHANGE_LIMITS.maxRequestBytes)
  })
})
