import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { UnexpectedPeerError } from '@libp2p/interface'
import { BootstrapWatch, dialProblem, reachedAgainText, unreachableText, wrongPeerText } from '../../../src/discovery/bootstrap-watch.ts'
import { createRootLogger } from '../../../src/logging/index.ts'

const EXPECTED = '12D3KooWGRUVh2W6GJrqEC3Ccw5ZDkxn8mNFWmpe1KD8vEJ9LgtG'
const ANSWERED = '12D3KooWNgoChqaMwiGKXKh5NBqAuFukkvWheTWkpY8fBgN5AjfV'
const ADDRESS = `/ip4/127.0.0.1/tcp/4100/p2p/${EXPECTED}`

/** The error libp2p 3 throws for a dial answered by another peer (upgrader around Noise's message). */
function mismatch (): Error {
  const err = new Error(`Payload identity key ${ANSWERED} does not match expected remote identity key ${EXPECTED}`)
  err.name = 'EncryptionFailedError'
  return err
}

function capture (): { log: ReturnType<typeof createRootLogger>, lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const log = createRootLogger({ level: 'info', format: 'json', destination: { write: (s: string) => { lines.push(JSON.parse(s) as Record<string, unknown>) } } })
  return { log, lines }
}

describe('bootstrap dial problems', () => {
  it('a mismatched peer id, alone or inside an AggregateError, names the peer that answered', () => {
    assert.deepEqual(dialProblem(mismatch()), { kind: 'wrong-peer', answered: ANSWERED })
    const refused = new Error('connect ECONNREFUSED 127.0.0.1:4101')
    assert.deepEqual(dialProblem(new AggregateError([refused, mismatch()], 'All multiaddr dials failed')), { kind: 'wrong-peer', answered: ANSWERED })
    assert.deepEqual(dialProblem(new UnexpectedPeerError()), { kind: 'wrong-peer', answered: undefined })
    assert.deepEqual(dialProblem(new Error('Payload identity key not-a-peer-id does not match expected remote identity key x')), { kind: 'wrong-peer', answered: undefined })
  })

  it('anything else is unreachable, with the most specific reason', () => {
    assert.deepEqual(dialProblem(new Error('connect ECONNREFUSED 127.0.0.1:1')), { kind: 'unreachable', reason: 'connect ECONNREFUSED 127.0.0.1:1' })
    assert.deepEqual(dialProblem(new AggregateError([new Error('connect EHOSTUNREACH 10.0.0.1:4100')], 'All multiaddr dials failed')), { kind: 'unreachable', reason: 'connect EHOSTUNREACH 10.0.0.1:4100' })
    assert.deepEqual(dialProblem('weird'), { kind: 'unreachable', reason: 'weird' })
  })
})

describe('BootstrapWatch', () => {
  it('warns once per outage, however often the retries fail, and logs the return at info', () => {
    const { log, lines } = capture()
    let now = 0
    const watch = new BootstrapWatch([{ peerId: EXPECTED, addresses: [ADDRESS] }], log, () => now)
    for (let i = 0; i < 5; i++) { watch.failed(EXPECTED, new Error('connect ECONNREFUSED 127.0.0.1:4100')); now += 1000 }
    assert.equal(lines.length, 1)
    assert.equal(lines[0]!.level, 40)
    assert.equal(lines[0]!.msg, unreachableText(EXPECTED, [ADDRESS], 'connect ECONNREFUSED 127.0.0.1:4100'))
    assert.deepEqual(watch.troubled, [EXPECTED])
    watch.reached(EXPECTED)
    assert.equal(lines.length, 2)
    assert.equal(lines[1]!.level, 30)
    assert.equal(lines[1]!.msg, reachedAgainText(EXPECTED, 5))
    assert.equal(lines[1]!.downMs, 5000)
    watch.reached(EXPECTED)
    assert.equal(lines.length, 2, 'a connection without an outage logs nothing')
    watch.failed(EXPECTED, new Error('connect ECONNREFUSED 127.0.0.1:4100'))
    assert.equal(lines.length, 3, 'a new outage warns again')
  })

  it('a mismatched peer id warns once, naming the address, the expected id and the one that answered', () => {
    const { log, lines } = capture()
    const watch = new BootstrapWatch([{ peerId: EXPECTED, addresses: [ADDRESS] }], log)
    watch.failed(EXPECTED, mismatch())
    watch.failed(EXPECTED, mismatch())
    assert.equal(lines.length, 1)
    // The wrong peer goes down and comes back, still the wrong peer: the outage goes on, one warning each.
    watch.failed(EXPECTED, new Error('connect ECONNREFUSED 127.0.0.1:4100'))
    watch.failed(EXPECTED, mismatch())
    watch.failed(EXPECTED, new Error('connect ECONNREFUSED 127.0.0.1:4100'))
    assert.deepEqual(lines.map(l => l.expected ?? l.reason), [EXPECTED, 'connect ECONNREFUSED 127.0.0.1:4100'])
    assert.equal(lines[0]!.msg, wrongPeerText([ADDRESS], EXPECTED, ANSWERED))
    assert.match(lines[0]!.msg as string, new RegExp(`^bootstrap address ${ADDRESS} answered as peer ${ANSWERED}, not ${EXPECTED}: `))
    assert.deepEqual([lines[0]!.expected, lines[0]!.answered], [EXPECTED, ANSWERED])
  })

  it('ignores peers that are not bootstrap peers', () => {
    const { log, lines } = capture()
    const watch = new BootstrapWatch([], log)
    assert.equal(watch.failed(EXPECTED, new Error('x')), undefined)
    watch.reached(EXPECTED)
    assert.equal(lines.length, 0)
  })
})
