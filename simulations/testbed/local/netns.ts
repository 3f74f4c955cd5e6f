/**
 * The local testbed's network: a "hub" namespace holding a bridge, one namespace per node with a veth
 * on the bridge (eth0, 10.X.0.0/16), and one veth from the host's namespace onto the bridge so that
 * the driver, in the testbed process, reaches every node's gateway. Nothing is routed beyond the
 * bridge: the nodes have no default route.
 *
 * Every name carries the testbed process's pid (namespaces `stb-<pid>-hub`, `stb-<pid>-n<i>`, the
 * host veth `stb<pid>h`), so parallel runs do not collide and a later run sweeps what a crashed one
 * left (sweepStale): the processes inside its namespaces, the namespaces, the host veth.
 */
import { execFile, spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'

const exec = promisify(execFile)
const PREFIX = 'stb'

/** A command of the testbed's network set-up failed. */
export class NetworkSetupError extends Error {
  override name = 'NetworkSetupError'
}

/** Runs a command; rejects with a NetworkSetupError carrying its first stderr line. */
export async function sh (file: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await exec(file, args, { maxBuffer: 16 * 1024 * 1024 })
    return stdout
  } catch (err) {
    const e = err as { stderr?: string, message: string }
    throw new NetworkSetupError(`${file} ${args.join(' ')}: ${(e.stderr ?? e.message).trim().split('\n')[0]}`)
  }
}

/** Runs a command with `input` on its stdin (iptables-restore). */
export async function shWithInput (input: string, file: string, ...args: string[]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    child.on('error', reject)
    child.on('exit', code => {
      if (code === 0) resolve()
      else reject(new NetworkSetupError(`${file} ${args.join(' ')}: ${stderr.trim().split('\n')[0] ?? `exit ${code}`}`))
    })
    child.stdin.end(input)
  })
}

const alive = (pid: number): boolean => {
  try { process.kill(pid, 0); return true } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM' }
}

/** Kills every process inside a namespace (SIGKILL: also stopped ones). */
export async function killInside (ns: string): Promise<void> {
  const pids = await sh('ip', 'netns', 'pids', ns).catch(() => '')
  for (const pid of pids.split('\n').filter(Boolean)) { try { process.kill(Number(pid), 'SIGKILL') } catch { /* gone */ } }
}

/** Where the kernel's IPv4 neighbour (ARP) table limits are. */
export const NEIGHBOUR_SYSCTL_DIR = '/proc/sys/net/ipv4/neigh/default'

/**
 * Makes room in the kernel's neighbour (ARP) table for `nodes` namespaces that all talk to each other.
 * The table is one for every namespace, and its hard limit (gc_thresh3) is 1,024 entries by default:
 * 50 nodes that each resolve the other 49 and the host need ~2,550, and beyond the limit the kernel
 * drops packets ("neighbor table overflow!"), so no node answered its gateway in a 50-node run. Raises
 * gc_thresh3 to (nodes + 1)² + 1,024 and gc_thresh2 to half of that, never lowers either (another run
 * may need them), and leaves them raised (harmless: a limit, not a reservation).
 */
export async function ensureNeighbourRoom (nodes: number, dir = NEIGHBOUR_SYSCTL_DIR): Promise<void> {
  const want3 = (nodes + 1) * (nodes + 1) + 1024
  for (const [file, want] of [['gc_thresh3', want3], ['gc_thresh2', Math.ceil(want3 / 2)]] as const) {
    const path = `${dir}/${file}`
    const now = Number((await readFile(path, 'utf8')).trim())
    if (!(now >= want)) await writeFile(path, `${want}\n`)
  }
}

/** Removes what testbed runs whose process is gone left behind; returns how many namespaces it deleted. */
export async function sweepStale (): Promise<number> {
  let swept = 0
  const list = await sh('ip', 'netns', 'list').catch(() => '')
  for (const name of list.split('\n').map(l => l.split(' ')[0] ?? '')) {
    const m = new RegExp(`^${PREFIX}-(\\d+)-`).exec(name)
    if (m === null || alive(Number(m[1]))) continue
    await killInside(name)
    await sh('ip', 'netns', 'del', name).catch(() => {})
    swept++
  }
  const links = await sh('ip', '-o', 'link', 'show').catch(() => '')
  for (const m of links.matchAll(new RegExp(`^\\d+: (${PREFIX}(\\d+)h)[@:]`, 'gm'))) {
    if (!alive(Number(m[2]))) await sh('ip', 'link', 'del', m[1]!).catch(() => {})
  }
  return swept
}

/** Namespaces and links of testbed runs (live or not): what a test checks is gone after a run. */
export async function testbedLeftovers (pid = process.pid): Promise<string[]> {
  const ns = (await sh('ip', 'netns', 'list').catch(() => '')).split('\n').map(l => l.split(' ')[0] ?? '').filter(n => n.startsWith(`${PREFIX}-${pid}-`))
  const links = [...(await sh('ip', '-o', 'link', 'show').catch(() => '')).matchAll(new RegExp(`^\\d+: (${PREFIX}${pid}h)[@:]`, 'gm'))].map(m => m[1]!)
  return [...ns, ...links]
}

/** Picks a /16 in 10.200-10.250 that no route of this host uses. */
async function freeSubnet (): Promise<number> {
  const routes = await sh('ip', '-4', 'route', 'show', 'table', 'all').catch(() => '')
  for (let x = 213; x < 250; x++) if (!new RegExp(`\\b10\\.${x}\\.`).test(routes)) return x
  throw new NetworkSetupError('no free 10.213-10.249 /16 subnet for the testbed bridge')
}

/** The testbed's namespaces and addresses. */
export class TestbedNetwork {
  readonly id = `${PREFIX}-${process.pid}`
  readonly hub = `${this.id}-hub`
  readonly hostLink = `${PREFIX}${process.pid}h`
  readonly namespaces: string[] = []
  private subnet = 0
  private destroyed = false

  /** Namespace of node i. */
  ns (i: number): string { return `${this.id}-n${i}` }
  /** Address of node i on the bridge. */
  ip (i: number): string { return `10.${this.subnet}.${(i + 1) >> 8}.${(i + 1) & 255}` }
  /** The host's address on the bridge (where the driver's calls come from). */
  hostIp (): string { return `10.${this.subnet}.255.254` }
  /** The bridge's subnet as a multiaddr prefix (exempt from the nodes' per-IP-range limits). */
  prefix (): string { return `/ip4/10.${this.subnet}.0.0/ipcidr/16` }

  /** Builds the hub and the host veth. */
  async create (): Promise<void> {
    this.subnet = await freeSubnet()
    await this.addNs(this.hub)
    await sh('ip', '-n', this.hub, 'link', 'add', 'br0', 'type', 'bridge')
    await sh('ip', '-n', this.hub, 'link', 'set', 'br0', 'up')
    await sh('ip', 'link', 'add', this.hostLink, 'type', 'veth', 'peer', 'name', 'host', 'netns', this.hub)
    await sh('ip', '-n', this.hub, 'link', 'set', 'host', 'master', 'br0', 'up')
    await sh('ip', 'addr', 'add', `${this.hostIp()}/16`, 'dev', this.hostLink)
    await sh('ip', 'link', 'set', this.hostLink, 'up')
  }

  /** Adds node i's namespace on the bridge, with the filter chain STB (partitions) hooked in. */
  async addNode (i: number): Promise<void> {
    await ensureNeighbourRoom(i + 1).catch(err => { throw new NetworkSetupError(`cannot raise the neighbour table's limit (${NEIGHBOUR_SYSCTL_DIR}): ${(err as Error).message}`) })
    const ns = this.ns(i)
    await this.addNs(ns)
    const tmp = `${PREFIX}${process.pid % 100000}x${i}`.slice(0, 15)
    await sh('ip', 'link', 'add', tmp, 'netns', ns, 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', this.hub)
    await sh('ip', '-n', ns, 'link', 'set', tmp, 'name', 'eth0')
    await sh('ip', '-n', ns, 'addr', 'add', `${this.ip(i)}/16`, 'dev', 'eth0')
    await sh('ip', '-n', ns, 'link', 'set', 'eth0', 'up')
    await sh('ip', '-n', this.hub, 'link', 'set', `p${i}`, 'master', 'br0', 'up')
    await shWithInput('*filter\n:STB - [0:0]\n-A INPUT -j STB\n-A OUTPUT -j STB\nCOMMIT\n', 'ip', 'netns', 'exec', ns, 'iptables-restore', '--noflush')
  }

  /** Node i stops exchanging packets with `blocked` (replacing what it blocked before). */
  async block (i: number, blocked: Iterable<number>): Promise<void> {
    const rules = [...blocked].flatMap(j => [`-A STB -s ${this.ip(j)} -j DROP`, `-A STB -d ${this.ip(j)} -j DROP`])
    await shWithInput(['*filter', ':STB - [0:0]', ...rules, 'COMMIT', ''].join('\n'), 'ip', 'netns', 'exec', this.ns(i), 'iptables-restore', '--noflush')
  }

  private async addNs (name: string): Promise<void> {
    await sh('ip', 'netns', 'add', name)
    this.namespaces.push(name)
    await sh('ip', '-n', name, 'link', 'set', 'lo', 'up')
  }

  /** Kills every process in the namespaces and deletes them and the host veth. Idempotent. */
  async destroy (): Promise<void> {
    if (this.destroyed) return
    this.destroyed = true
    for (const ns of this.namespaces) await killInside(ns)
    for (const ns of this.namespaces.splice(0).reverse()) await sh('ip', 'netns', 'del', ns).catch(() => {})
    await sh('ip', 'link', 'del', this.hostLink).catch(() => {})
  }
}
