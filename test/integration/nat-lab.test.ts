/**
 * The NAT lab, part 1: `sorcha-peer nat --json` run inside client namespaces behind real NATs
 * (iptables in router namespaces) against a real STUN server (coturn on two addresses). Needs root,
 * iproute2, iptables and coturn; elsewhere every test reports "skipped" with the reason.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { labUnavailable, NatLab, sh, type LabClient, type NatKind } from '../nat-lab/lab.ts'

const unavailable = await labUnavailable()
const NODE = new URL('../../node_modules/.bin/node', import.meta.url).pathname
const CLI = new URL('../../src/cli/bin.js', import.meta.url).pathname
// Short retransmission settings keep the filtering tests (which wait for responses that never come) quick:
// requests at 0, 100, 300 ms, timeout at 700 ms. The RFC defaults are covered by the unit tests.
const FAST = ['--nat-stun-rto-ms', '100', '--nat-stun-max-requests', '3', '--nat-stun-last-wait-factor', '4', '--log-level', 'silent']

interface Expectation { mapping: string, filtering: string, natType: string }
type StunCase = Exclude<NatKind, 'port-forward'>
const EXPECTED: Record<StunCase, Expectation> = {
  none: { mapping: 'no-nat', filtering: 'endpoint-independent', natType: 'open-internet' },
  'full-cone': { mapping: 'endpoint-independent', filtering: 'endpoint-independent', natType: 'full-cone' },
  'port-restricted': { mapping: 'endpoint-independent', filtering: 'address-and-port-dependent', natType: 'port-restricted-cone' },
  symmetric: { mapping: 'address-and-port-dependent', filtering: 'address-and-port-dependent', natType: 'symmetric' },
  'udp-blocked': { mapping: 'unknown', filtering: 'unknown', natType: 'udp-blocked' }
}
const CASES: Array<[string, StunCase]> = [
  ['(a) no NAT', 'none'],
  ['(b) endpoint-independent NAT (MASQUERADE + inbound DNAT: full cone)', 'full-cone'],
  ['(c) symmetric NAT (MASQUERADE --random-fully)', 'symmetric'],
  ['(d) NAT whose filtering drops unsolicited inbound packets (plain MASQUERADE)', 'port-restricted'],
  ['(e) UDP blocked', 'udp-blocked']
]

async function natJson (client: LabClient, ...extra: string[]): Promise<Record<string, unknown>> {
  const out = await sh('ip', 'netns', 'exec', client.ns, NODE, CLI, 'nat', '--json', ...FAST, ...extra)
  return JSON.parse(out) as Record<string, unknown>
}

describe('NAT lab: sorcha-peer nat behind real NATs against coturn', () => {
  let lab: NatLab | undefined
  const clients = new Map<NatKind, LabClient>()
  before(async () => {
    if (unavailable !== undefined) return
    lab = await NatLab.create()
    for (const [, kind] of CASES) clients.set(kind, await lab.addClient(kind))
  })
  after(async () => { await lab?.destroy() })

  for (const [name, kind] of CASES) {
    it(name, { skip: unavailable }, async () => {
      const client = clients.get(kind)!
      const report = await natJson(client, '--stun', `${lab!.stunPrimary}:3478`)
      const expected = EXPECTED[kind]
      assert.deepEqual({ mapping: report.mapping, filtering: report.filtering, natType: report.natType }, expected)
      const interfaces = report.interfaces as Array<{ address: string }>
      assert.deepEqual(interfaces.map(i => i.address), [client.address])
      assert.equal(report.preferredAddress, client.address)
      if (kind === 'udp-blocked') {
        assert.equal(report.externalAddress, undefined)
        assert.equal(report.method, 'none')
      } else {
        assert.equal(report.externalAddress, client.publicAddress)
        assert.equal(report.method, 'stun')
        assert.equal(report.behaviourTestsSupported, true)
      }
    })
  }

  it('fails over from a dead STUN server to a live one', { skip: unavailable }, async () => {
    const report = await natJson(clients.get('port-restricted')!, '--stun', '198.51.100.99:3478', '--stun', `${lab!.stunPrimary}:3478`)
    assert.equal(report.natType, 'port-restricted-cone')
    assert.equal(report.stunServer, `${lab!.stunPrimary}:3478`)
    assert.deepEqual(report.problems, ['198.51.100.99:3478: no response'])
  })

  it('a forced NAT type overrides detection, and announce overrides the address', { skip: unavailable }, async () => {
    const report = await natJson(clients.get('symmetric')!, '--stun', `${lab!.stunPrimary}:3478`, '--nat-force-type', 'full-cone', '--announce', '/ip4/192.0.2.77/tcp/4100')
    assert.equal(report.natType, 'full-cone')
    assert.equal(report.forced, true)
    assert.equal(report.method, 'config')
    assert.equal(report.externalAddress, '192.0.2.77')
    assert.match(String(report.mappedAddress), /^198\.51\.100\.\d+:\d+$/)
  })
})
