/**
 * The NAT lab, part 2: AutoNAT between libp2p nodes across namespaces.
 *
 * - P, a Sorcha node with a public address and no NAT, learns it is public.
 * - N, a Sorcha node behind a NAT (plain MASQUERADE), learns its external IP from coturn, offers it to
 *   libp2p, and learns from AutoNAT that it is private: eight verifiers in eight different /8 networks
 *   try to dial it back and fail.
 * - F, behind the same kind of NAT but with TCP port 4100 forwarded, learns it is public: the control
 *   showing that N's verdict comes from failed dial-backs, not from being behind a NAT.
 *
 * Why these addresses: libp2p (@libp2p/utils isPrivate) treats the documentation ranges 192.0.2.0/24,
 * 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32 as private, and AutoNAT never tests private
 * addresses (asserted below). AutoNAT also counts a failed dial-back only once per verifier /8 network
 * and needs eight failures (one success for a transport or mapped address). So the public side here uses
 * ordinary-looking addresses (11/8, 12/8, 21/8-29/8 and 31/8, 30/8) — inside namespaces with no link to the host's
 * network, so nothing can leave the machine.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { isPrivate } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { labUnavailable, NatLab, type LabAddressing, type LabClient } from '../nat-lab/lab.ts'

const unavailable = await labUnavailable()
const P_IP = '12.0.0.1'
// AutoNAT needs eight failures from eight /8 networks; two spare verifiers keep one lost answer from
// stalling the test.
const VERIFIERS = [21, 22, 23, 24, 25, 26, 27, 28, 29, 31].map(octet => `${octet}.0.0.1`)
const ADDRESSING: LabAddressing = { stun: ['11.0.0.1', '11.0.0.2'], prefixLength: 8, wan: i => `30.0.0.${10 + i}`, extra: [P_IP, ...VERIFIERS] }
const PUBLIC_SCRIPT = new URL('../nat-lab/autonat-public.ts', import.meta.url).pathname
const PRIVATE_SCRIPT = new URL('../nat-lab/autonat-private.ts', import.meta.url).pathname

type Status = { method: string, externalAddress?: string, reachability: string, autonat: { confirmed: string[], unreachable: string[], untested: string[] } }

/** Collects a child's status lines and lets the test wait for one that matches. */
class StatusLog {
  readonly statuses: Status[] = []
  private waiters: Array<{ match: (s: Status) => boolean, resolve: (s: Status) => void }> = []
  helpers: string[] = []
  ready = false
  onLine = (line: Record<string, unknown>): void => {
    if (line.event === 'ready') { this.helpers = line.helpers as string[]; this.ready = true }
    if (line.event !== 'status') return
    const status = line.status as Status
    this.statuses.push(status)
    this.waiters = this.waiters.filter(w => { if (!w.match(status)) return true; w.resolve(status); return false })
  }

  async waitFor (match: (s: Status) => boolean, what: string, timeoutMs = 120_000): Promise<Status> {
    const seen = this.statuses.find(match)
    if (seen !== undefined) return seen
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(this.statuses.at(-1))}`)) }, timeoutMs)
      this.waiters.push({ match, resolve: s => { clearTimeout(timer); resolve(s) } })
    })
  }
}

describe('NAT lab: AutoNAT across namespaces', () => {
  let lab: NatLab | undefined
  let natted: LabClient
  let forwarded: LabClient
  const p = new StatusLog()
  const n = new StatusLog()
  const f = new StatusLog()

  before(async () => {
    if (unavailable !== undefined) return
    lab = await NatLab.create(ADDRESSING)
    natted = await lab.addClient('port-restricted')
    forwarded = await lab.addClient('port-forward')
    lab.spawnNode(lab.pub, PUBLIC_SCRIPT, [P_IP, ...VERIFIERS], p.onLine)
    await lab.waitFor(async () => p.ready, 'the public node and the verifiers', 60_000)
    const stun = `${ADDRESSING.stun[0]}:3478`
    lab.spawnNode(natted.ns, PRIVATE_SCRIPT, [stun, ...p.helpers], n.onLine)
    lab.spawnNode(forwarded.ns, PRIVATE_SCRIPT, [stun, ...p.helpers], f.onLine)
  })
  after(async () => { await lab?.destroy() })

  it('precondition: libp2p calls the documentation ranges private, and the lab\'s public side public', { skip: unavailable }, () => {
    for (const a of ['/ip4/198.51.100.1/tcp/1', '/ip4/203.0.113.1/tcp/1', '/ip4/192.0.2.1/tcp/1', '/ip6/2001:db8::1/tcp/1']) assert.equal(isPrivate(multiaddr(a)), true, a)
    for (const ip of [P_IP, ...VERIFIERS, natted.publicAddress, forwarded.publicAddress]) assert.equal(isPrivate(multiaddr(`/ip4/${ip}/tcp/4100`)), false, ip)
    assert.equal(new Set(VERIFIERS.map(ip => ip.split('.')[0])).size, VERIFIERS.length, 'each verifier in its own /8 network')
    assert.ok(VERIFIERS.length >= 8)
  })

  it('a public node learns it is public (AutoNAT dialled its listen address back)', { skip: unavailable }, async () => {
    const status = await p.waitFor(s => s.reachability === 'public', 'P to be public')
    assert.deepEqual(status.autonat.confirmed, [`/ip4/${P_IP}/tcp/4100`])
    assert.equal(status.method, 'autonat')
    assert.equal(status.externalAddress, P_IP)
    assert.equal(p.statuses[0]?.reachability, 'unknown', 'not public before any verifier answered')
  })

  it('a node behind a NAT learns its external IP by STUN and then, from AutoNAT, that it is private', { skip: unavailable }, async () => {
    const first = await n.waitFor(s => s.method === 'stun', 'N to learn its address by STUN')
    assert.equal(first.externalAddress, natted.publicAddress)
    assert.equal(first.reachability, 'unknown', 'the STUN address alone says nothing about reachability')
    assert.deepEqual(first.autonat.untested, [`/ip4/${natted.publicAddress}/tcp/4100`])
    const status = await n.waitFor(s => s.reachability === 'private', 'N to be private')
    assert.deepEqual(status.autonat.unreachable, [`/ip4/${natted.publicAddress}/tcp/4100`])
    assert.deepEqual(status.autonat.confirmed, [])
  })

  it('control: behind a NAT with port 4100 forwarded, the same node learns it is public', { skip: unavailable }, async () => {
    const status = await f.waitFor(s => s.reachability === 'public', 'F to be public')
    assert.equal(status.method, 'stun')
    assert.equal(status.externalAddress, forwarded.publicAddress)
    assert.deepEqual(status.autonat.confirmed, [`/ip4/${forwarded.publicAddress}/tcp/4100`])
  })
})
