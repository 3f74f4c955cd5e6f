/**
 * The NAT lab: network namespaces joined by veth pairs, iptables NAT in "router" namespaces, and coturn
 * listening on two addresses in a "public" namespace. Nothing leaves the machine: the namespaces have no
 * link to the host's own network.
 *
 *   client ns --veth-- router ns (iptables) --veth-- [br0 in public ns: 198.51.100.1, .2 = coturn]
 *
 * Every name carries this process's pid, so parallel runs do not collide and a later run can sweep
 * leftovers of a crashed one (namespaces whose pid no longer exists). destroy() kills what it started
 * and deletes the namespaces, which takes their veths and iptables rules with them.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { requires, type Needs } from '../helpers/requires.ts'

const exec = promisify(execFile)
const PREFIX = 'snl'

/** The NATs the lab can build (see the cases a-e). */
export type NatKind = 'none' | 'full-cone' | 'port-restricted' | 'symmetric' | 'udp-blocked' | 'port-forward'

/** Runs a command; rejects with its stderr on failure. */
export async function sh (file: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec(file, args, { maxBuffer: 16 * 1024 * 1024 })
  return stdout
}

/** What the lab needs beyond Node.js and npm. */
export const LAB_NEEDS: Needs = { linux: true, root: true, tools: ['ip', 'ss', 'iptables', 'turnserver'] }

/** Why the lab cannot run here (one line naming what to install), or undefined if it can. */
export async function labUnavailable (): Promise<string | undefined> {
  const missing = requires(LAB_NEEDS)
  if (missing !== undefined) return missing
  const probe = `${PREFIX}-${process.pid}-probe`
  try {
    await sh('ip', 'netns', 'add', probe)
    await sh('ip', 'netns', 'del', probe)
  } catch (err) {
    return `needs network namespaces (root with CAP_NET_ADMIN; in a container, --privileged): ${(err as Error).message.split('\n')[0]}`
  }
  return undefined
}

/** Deletes namespaces left by lab runs whose process is gone. */
async function sweepStale (): Promise<void> {
  const list = await sh('ip', 'netns', 'list').catch(() => '')
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0] ?? ''
    const m = new RegExp(`^${PREFIX}-(\\d+)-`).exec(name)
    if (m === null) continue
    try { process.kill(Number(m[1]), 0) } catch { await sh('ip', 'netns', 'del', name).catch(() => {}) }
  }
}

/** The lab's public-side addressing. */
export interface LabAddressing {
  /** coturn's two addresses. */
  stun: [string, string]
  /** Prefix length of the public addresses on the bridge. */
  prefixLength: number
  /** The WAN address of the i-th router (i from 1). */
  wan: (i: number) => string
  /** More addresses for the public namespace (for public libp2p nodes). */
  extra: string[]
}

/** Documentation ranges (RFC 5737): right for STUN tests; libp2p calls them private (see autonat-lab.test.ts). */
export const DOCUMENTATION_ADDRESSING: LabAddressing = {
  stun: ['198.51.100.1', '198.51.100.2'], prefixLength: 24, wan: i => `198.51.100.${10 + i}`, extra: []
}

/** A client namespace behind a router namespace. */
export interface LabClient {
  kind: NatKind
  ns: string
  router: string
  /** The client's own address. */
  address: string
  /** The router's public (WAN) address: what the client's traffic looks like from outside. */
  publicAddress: string
}

/** A running lab. */
export class NatLab {
  readonly id: string
  readonly pub: string
  readonly stunPrimary: string
  readonly stunAlternate: string
  readonly addressing: LabAddressing
  readonly clients: LabClient[] = []
  private readonly namespaces: string[] = []
  private readonly processes: ChildProcess[] = []
  private dir = ''

  private constructor (addressing: LabAddressing) {
    this.addressing = addressing
    ;[this.stunPrimary, this.stunAlternate] = addressing.stun
    this.id = `${PREFIX}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`
    this.pub = `${this.id}-pub`
  }

  /** Builds the public namespace with coturn on two addresses. Cleans up if any step fails. */
  static async create (addressing: LabAddressing = DOCUMENTATION_ADDRESSING): Promise<NatLab> {
    await sweepStale()
    const lab = new NatLab(addressing)
    try {
      await lab.setUpPublic()
      return lab
    } catch (err) {
      await lab.destroy()
      throw err
    }
  }

  /** Runs a command inside a namespace. */
  async inNs (ns: string, ...command: string[]): Promise<string> {
    return sh('ip', 'netns', 'exec', ns, ...command)
  }

  private async addNs (name: string): Promise<void> {
    await sh('ip', 'netns', 'add', name)
    this.namespaces.push(name)
    await sh('ip', '-n', name, 'link', 'set', 'lo', 'up')
  }

  private async setUpPublic (): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'sorcha-natlab-'))
    await this.addNs(this.pub)
    await sh('ip', '-n', this.pub, 'link', 'add', 'br0', 'type', 'bridge')
    for (const ip of [this.stunPrimary, this.stunAlternate, ...this.addressing.extra]) {
      await sh('ip', '-n', this.pub, 'addr', 'add', `${ip}/${this.addressing.prefixLength}`, 'dev', 'br0')
    }
    await sh('ip', '-n', this.pub, 'link', 'set', 'br0', 'up')
    // Every public address is on one link, whatever its subnet: an on-link default route reaches them all.
    await sh('ip', '-n', this.pub, 'route', 'add', 'default', 'dev', 'br0')
    // coturn as a plain STUN server on two IPs and two ports: RFC 5780 needs both (CHANGE-REQUEST).
    const turn = spawn('ip', ['netns', 'exec', this.pub, 'turnserver', '-n', '--stun-only', '--no-cli', '--no-tls', '--no-dtls', '--no-tcp',
      '--no-auth', '-L', this.stunPrimary, '-L', this.stunAlternate, '--listening-port', '3478', '--alt-listening-port', '3479',
      '--log-file', 'stdout', '--simple-log', '--pidfile', join(this.dir, 'turnserver.pid'), '--userdb', join(this.dir, 'turndb')], { stdio: 'ignore' })
    this.processes.push(turn)
    await this.waitFor(async () => {
      const listening = await this.inNs(this.pub, 'ss', '-Hulpn')
      return [`${this.stunPrimary}:3478`, `${this.stunPrimary}:3479`, `${this.stunAlternate}:3478`, `${this.stunAlternate}:3479`].every(a => listening.includes(a))
    }, 'coturn listening on both addresses')
  }

  /** Polls until `check` holds (generous: the machine may be busy). */
  async waitFor (check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
    const end = Date.now() + timeoutMs
    while (Date.now() < end) {
      if (await check().catch(() => false)) return
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    throw new Error(`NAT lab: timed out waiting for ${what}`)
  }

  /** Adds a client namespace behind a router namespace with the given NAT. */
  async addClient (kind: NatKind): Promise<LabClient> {
    const i = this.clients.length + 1
    const router = `${this.id}-r${i}`
    const ns = `${this.id}-c${i}`
    await this.addNs(router)
    await this.addNs(ns)
    const wan = this.addressing.wan(i)
    const lanNet = kind === 'none' ? '203.0.113' : `10.0.${i}`
    // Interface names are per namespace, so short fixed names do not collide across runs.
    await sh('ip', 'link', 'add', `${this.id.slice(-4)}w${i}`, 'netns', router, 'type', 'veth', 'peer', 'name', `${this.id.slice(-4)}p${i}`, 'netns', this.pub)
    await sh('ip', '-n', router, 'link', 'set', `${this.id.slice(-4)}w${i}`, 'name', 'wan')
    await sh('ip', '-n', this.pub, 'link', 'set', `${this.id.slice(-4)}p${i}`, 'master', 'br0', 'up')
    await sh('ip', '-n', router, 'addr', 'add', `${wan}/${this.addressing.prefixLength}`, 'dev', 'wan')
    await sh('ip', '-n', router, 'link', 'set', 'wan', 'up')
    await sh('ip', '-n', router, 'route', 'add', 'default', 'dev', 'wan')
    await sh('ip', 'link', 'add', `${this.id.slice(-4)}l${i}`, 'netns', router, 'type', 'veth', 'peer', 'name', `${this.id.slice(-4)}c${i}`, 'netns', ns)
    await sh('ip', '-n', router, 'link', 'set', `${this.id.slice(-4)}l${i}`, 'name', 'lan')
    await sh('ip', '-n', ns, 'link', 'set', `${this.id.slice(-4)}c${i}`, 'name', 'eth0')
    await sh('ip', '-n', router, 'addr', 'add', `${lanNet}.1/24`, 'dev', 'lan')
    await sh('ip', '-n', router, 'link', 'set', 'lan', 'up')
    await sh('ip', '-n', ns, 'addr', 'add', `${lanNet}.2/24`, 'dev', 'eth0')
    await sh('ip', '-n', ns, 'link', 'set', 'eth0', 'up')
    await sh('ip', '-n', ns, 'route', 'add', 'default', 'via', `${lanNet}.1`)
    // Written directly (not with sysctl, which is in procps and may be missing on a minimal CI image).
    await this.inNs(router, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward')
    if (kind === 'none') await sh('ip', '-n', this.pub, 'route', 'add', `${lanNet}.0/24`, 'via', wan)
    for (const rule of natRules(kind, `${lanNet}.2`)) await this.inNs(router, 'iptables', ...rule)
    const client: LabClient = { kind, ns, router, address: `${lanNet}.2`, publicAddress: kind === 'none' ? `${lanNet}.2` : wan }
    this.clients.push(client)
    return client
  }

  /** Kills the lab's processes and deletes its namespaces (with their veths and iptables rules). Idempotent. */
  async destroy (): Promise<void> {
    for (const p of this.processes.splice(0)) {
      if (p.exitCode === null && p.signalCode === null) {
        const exited = new Promise(resolve => p.once('exit', resolve))
        p.kill('SIGTERM')
        await Promise.race([exited, new Promise(resolve => setTimeout(resolve, 3000))])
        if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
      }
    }
    // coturn runs under `ip netns exec`; make sure nothing is left inside any of our namespaces.
    for (const ns of this.namespaces) {
      const pids = await sh('ip', 'netns', 'pids', ns).catch(() => '')
      for (const pid of pids.split('\n').filter(Boolean)) { try { process.kill(Number(pid), 'SIGKILL') } catch { /* gone */ } }
    }
    for (const ns of this.namespaces.splice(0).reverse()) await sh('ip', 'netns', 'del', ns).catch(() => {})
    if (this.dir !== '') await rm(this.dir, { recursive: true, force: true })
  }

  /** Starts a Node.js script inside a namespace; it is killed on destroy(). Its stdout is read as JSON lines. */
  spawnNode (ns: string, script: string, args: string[], onLine: (value: Record<string, unknown>) => void): ChildProcess {
    const node = new URL('../../node_modules/.bin/node', import.meta.url).pathname
    const child = spawn('ip', ['netns', 'exec', ns, node, script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    this.processes.push(child)
    let buffer = ''
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 1)
        try { onLine(JSON.parse(line) as Record<string, unknown>) } catch { /* not ours */ }
      }
    })
    return child
  }
}

/** iptables rules (in the router namespace) for each kind of NAT. */
function natRules (kind: NatKind, client: string): string[][] {
  const masquerade = ['-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE']
  switch (kind) {
    case 'none': return []
    // Endpoint-independent mapping (MASQUERADE keeps the source port) and endpoint-independent filtering:
    // any inbound UDP to the router is forwarded to the client, port unchanged (a "full cone").
    case 'full-cone': return [masquerade, ['-t', 'nat', '-A', 'PREROUTING', '-i', 'wan', '-p', 'udp', '-j', 'DNAT', '--to-destination', client]]
    // Plain MASQUERADE: endpoint-independent mapping; conntrack drops unsolicited inbound packets, so
    // filtering is address-and-port-dependent (a "port-restricted cone").
    case 'port-restricted': return [masquerade]
    // A fresh random source port per connection (per destination): address-and-port-dependent mapping.
    case 'symmetric': return [[...masquerade, '--random-fully']]
    case 'udp-blocked': return [masquerade, ['-A', 'FORWARD', '-p', 'udp', '-j', 'DROP']]
    // MASQUERADE plus a TCP port forward of 4100 to the client: reachable from outside despite the NAT.
    case 'port-forward': return [masquerade, ['-t', 'nat', '-A', 'PREROUTING', '-i', 'wan', '-p', 'tcp', '--dport', '4100', '-j', 'DNAT', '--to-destination', `${client}:4100`]]
  }
}
