/**
 * `sorcha-peer admin <command>`: the Admin API of a running node (docs/admin.md) through the client
 * library. Failures reach the CLI's one-line report (src/cli/main.ts): a refused call is
 * `sorcha-peer: admin calls are refused: ...` with exit code 1.
 */
import type { SorchaClient } from '../../client/index.ts'
import type { AdminFlags, BanFlags, LogLevelFlags, RegistersFlags } from '../commands/admin.ts'
import { clientFrom } from './connect.ts'
import { infoJson, infoText, levelsText, peerJson, peersJson, peersText, statsText, statusName } from './admin-format.ts'

async function withClient (flags: AdminFlags, work: (client: SorchaClient) => Promise<{ json: unknown, text: string }>): Promise<void> {
  const client = clientFrom(flags)
  try {
    const out = await work(client)
    process.stdout.write(flags.json === true ? `${JSON.stringify(out.json)}\n` : out.text)
  } finally {
    client.close()
  }
}

/** `admin peers` */
export async function runPeers (flags: AdminFlags): Promise<void> {
  await withClient(flags, async client => {
    const res = await client.listConnectedPeers()
    return { json: peersJson(res), text: peersText(res) }
  })
}

/** `admin dial <multiaddr>` */
export async function runDial (multiaddr: string, flags: AdminFlags): Promise<void> {
  await withClient(flags, async client => {
    const res = await client.dialPeer(multiaddr)
    return { json: res, text: `connected to ${res.peerId} (${res.connection?.direction ?? '?'}, ${res.connection?.remoteAddr ?? '?'})\n` }
  })
}

/** `admin disconnect <peerId>` */
export async function runDisconnect (peerId: string, flags: AdminFlags): Promise<void> {
  await withClient(flags, async client => {
    const res = await client.disconnectPeer(peerId)
    return { json: res, text: `disconnected ${peerId} (${res.connectionsClosed} ${res.connectionsClosed === 1 ? 'connection' : 'connections'} closed)\n` }
  })
}

/** `admin ban <peerId> [--reason] [--duration]` */
export async function runBan (peerId: string, flags: BanFlags): Promise<void> {
  await withClient(flags, async client => {
    const res = await client.banPeer(peerId, { reason: flags.reason ?? '', durationMs: flags.duration ?? 0 })
    const until = res.peer === undefined || res.peer.bannedUntilMs === 0 ? 'until unbanned' : `until ${new Date(res.peer.bannedUntilMs).toISOString()}`
    const closed = res.connectionsClosed === 0 ? 'it was not connected' : `${res.connectionsClosed} ${res.connectionsClosed === 1 ? 'connection' : 'connections'} closed`
    return { json: { ...res, peer: peerJson(res.peer) }, text: `banned ${peerId} ${until} (reason: ${res.peer?.banReason ?? ''}); ${closed}\n` }
  })
}

/** `admin unban <peerId>` */
export async function runUnban (peerId: string, flags: AdminFlags): Promise<void> {
  await withClient(flags, async client => {
    const res = await client.unbanPeer(peerId)
    return { json: { peer: peerJson(res.peer) }, text: `unbanned ${peerId} (now ${res.peer === undefined ? '?' : statusName(res.peer.status)})\n` }
  })
}

/** `admin log-level [level] [--subsystem name]`: shows the levels, or sets one and shows them. */
export async function runLogLevel (level: string | undefined, flags: LogLevelFlags): Promise<void> {
  await withClient(flags, async client => {
    const levels = level === undefined ? await client.logLevels() : await client.setLogLevel(level, flags.subsystem ?? '')
    return { json: levels, text: levelsText(levels) }
  })
}

/** `admin registers [--follow R...] [--unfollow R...]`: the served registers, after the change if any. */
export async function runRegisters (flags: RegistersFlags): Promise<void> {
  await withClient(flags, async client => {
    const served = await client.updateServedRegisters({ follow: flags.follow ?? [], unfollow: flags.unfollow ?? [] })
    const list = served.registers.length === 0 ? 'every register' : served.registers.join(', ')
    return { json: served, text: `serves ${list}${served.relay ? ' (relays every register)' : ''}\n` }
  })
}

/** `admin info` */
export async function runInfo (flags: AdminFlags): Promise<void> {
  await withClient(flags, async client => {
    const info = await client.adminNodeInfo()
    return { json: infoJson(info), text: infoText(info) }
  })
}

/** `admin stats` */
export async function runStats (flags: AdminFlags): Promise<void> {
  await withClient(flags, async client => {
    const stats = await client.stats()
    return { json: stats, text: statsText(stats) }
  })
}
