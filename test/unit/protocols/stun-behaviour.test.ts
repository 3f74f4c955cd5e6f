import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  classicName, classifyNat, nextBehaviourTests, type Endpoint, type PlannedTest, type TestOutcome
} from '../../../protocols/stun/index.ts'

const primary: Endpoint = { family: 4, address: '198.51.100.1', port: 3478 }
const alt: Endpoint = { family: 4, address: '198.51.100.2', port: 3479 }
const local: Endpoint = { family: 4, address: '10.0.0.2', port: 40000 }
const isLocal = (e: Endpoint): boolean => e.address === local.address && e.port === local.port

/**
 * A model NAT: mapping behaviour decides the external port per destination; filtering decides whether
 * a response from a given server address gets in, given where this mapping has sent before.
 */
interface ModelNat { mapping: 'none' | 'eim' | 'adm' | 'apdm', filtering: 'eif' | 'adf' | 'apdf', udpBlocked?: boolean, noOther?: boolean }

function simulate (nat: ModelNat): TestOutcome[] {
  const outcomes: TestOutcome[] = []
  const sent: Record<'mapping' | 'filtering', Endpoint[]> = { mapping: [], filtering: [] }
  const key = (e: Endpoint): string => `${e.address}:${e.port}`
  const mappedFor = (to: Endpoint, socket: number): Endpoint => {
    if (nat.mapping === 'none') return local
    const base = 50000 + socket * 1000
    const port = nat.mapping === 'eim' ? base : nat.mapping === 'adm' ? base + (to.address === primary.address ? 0 : 1) : base + (to.address === primary.address ? 0 : 1) + (to.port === primary.port ? 0 : 2)
    return { family: 4, address: '203.0.113.50', port }
  }
  for (let guard = 0; guard < 20; guard++) {
    const next: PlannedTest[] = nextBehaviourTests(primary, outcomes)
    if (next.length === 0) break
    for (const test of next) {
      sent[test.sequence].push(test.to)
      const from: Endpoint = { family: 4, address: test.change?.changeIp === true ? alt.address : test.to.address, port: test.change?.changePort === true ? (test.to.port === alt.port ? primary.port : alt.port) : test.to.port }
      const admitted = nat.mapping === 'none' && nat.filtering === 'eif' ? true
        : nat.filtering === 'eif' ? true
          : nat.filtering === 'adf' ? sent[test.sequence].some(s => s.address === from.address)
            : sent[test.sequence].some(s => key(s) === key(from))
      const response = nat.udpBlocked === true || !admitted ? undefined
        : { mapped: mappedFor(test.to, test.sequence === 'mapping' ? 0 : 1), from, ...(nat.noOther === true ? {} : { otherAddress: alt }) }
      outcomes.push(response === undefined ? { test: test.test } : { test: test.test, response })
    }
  }
  return outcomes
}

describe('RFC 5780 behaviour discovery', () => {
  const cases: Array<[string, ModelNat, string, string, string]> = [
    ['no NAT, no firewall', { mapping: 'none', filtering: 'eif' }, 'no-nat', 'endpoint-independent', 'open-internet'],
    ['no NAT, stateful firewall', { mapping: 'none', filtering: 'apdf' }, 'no-nat', 'address-and-port-dependent', 'symmetric-udp-firewall'],
    ['full cone', { mapping: 'eim', filtering: 'eif' }, 'endpoint-independent', 'endpoint-independent', 'full-cone'],
    ['restricted cone', { mapping: 'eim', filtering: 'adf' }, 'endpoint-independent', 'address-dependent', 'restricted-cone'],
    ['port-restricted cone', { mapping: 'eim', filtering: 'apdf' }, 'endpoint-independent', 'address-and-port-dependent', 'port-restricted-cone'],
    ['symmetric (address-dependent mapping)', { mapping: 'adm', filtering: 'apdf' }, 'address-dependent', 'address-and-port-dependent', 'symmetric'],
    ['symmetric (address-and-port-dependent mapping)', { mapping: 'apdm', filtering: 'apdf' }, 'address-and-port-dependent', 'address-and-port-dependent', 'symmetric']
  ]
  for (const [name, nat, mapping, filtering, natType] of cases) {
    it(name, () => {
      const verdict = classifyNat(primary, simulate(nat), isLocal)
      assert.deepEqual([verdict.mapping, verdict.filtering, verdict.natType], [mapping, filtering, natType])
      assert.equal(verdict.behaviourTestsSupported, true)
    })
  }

  it('UDP blocked: test I times out', () => {
    const outcomes = simulate({ mapping: 'eim', filtering: 'eif', udpBlocked: true })
    assert.deepEqual(outcomes.map(o => o.test).sort(), ['filtering-1', 'mapping-1'])
    assert.equal(classifyNat(primary, outcomes, isLocal).natType, 'udp-blocked')
    assert.equal(classifyNat(primary, [], isLocal).natType, 'unknown')
  })

  it('a server without OTHER-ADDRESS gives the mapped address but no behaviour', () => {
    const verdict = classifyNat(primary, simulate({ mapping: 'eim', filtering: 'eif', noOther: true }), isLocal)
    assert.deepEqual([verdict.mapping, verdict.filtering, verdict.natType, verdict.behaviourTestsSupported], ['unknown', 'unknown', 'unknown', false])
    assert.equal(verdict.mappedAddress?.address, '203.0.113.50')
    const open = classifyNat(primary, [{ test: 'mapping-1', response: { mapped: local, from: primary } }], isLocal)
    assert.equal(open.mapping, 'no-nat')
  })

  it('an OTHER-ADDRESS equal to the primary IP is not usable for the tests', () => {
    const outcomes: TestOutcome[] = [{ test: 'mapping-1', response: { mapped: local, from: primary, otherAddress: { ...primary, port: 3479 } } }]
    assert.deepEqual(nextBehaviourTests(primary, outcomes).map(t => t.test), ['filtering-1'])
  })

  it('the plan: filtering II asks for another IP and port, III for another port; mapping II/III go to the alternate IP', () => {
    const outcomes = simulate({ mapping: 'apdm', filtering: 'apdf' })
    assert.deepEqual(outcomes.map(o => o.test), ['mapping-1', 'filtering-1', 'mapping-2', 'filtering-2', 'mapping-3', 'filtering-3'])
    const plan = nextBehaviourTests(primary, outcomes.slice(0, 2))
    assert.deepEqual(plan.map(p => [p.test, p.to.address, p.to.port, p.change]), [
      ['mapping-2', alt.address, primary.port, undefined],
      ['filtering-2', primary.address, primary.port, { changeIp: true, changePort: true }]
    ])
  })

  it('classic names cover every combination', () => {
    assert.equal(classicName('unknown', 'endpoint-independent'), 'unknown')
    assert.equal(classicName('endpoint-independent', 'unknown'), 'unknown')
    assert.equal(classicName('no-nat', 'unknown'), 'unknown')
  })
})
