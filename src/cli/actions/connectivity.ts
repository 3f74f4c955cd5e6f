/**
 * `sorcha-peer offline` and `online`: the operator's offline mode, through a running node's API; and
 * the connectivity line that `status` prints.
 */
import type { ConnectivityReport, ConnectivityStatus } from '../../client/index.ts'
import { CONNECTIVITY_STATE } from '../../gateway/enum-names.ts'
import type { OfflineFlags, OnlineFlags } from '../commands/api.ts'
import { clientFrom } from './connect.ts'

/** A state as the CLI prints it: the core's own name (`online`), never a number. */
function stateName (state: number): string {
  return Object.entries(CONNECTIVITY_STATE.aliases).find(([, v]) => v === state)?.[0] ?? CONNECTIVITY_STATE.nameOf(state) ?? String(state)
}

/**
 * One line: `online since 2026-01-02T03:04:05.000Z (peer_connected), 3 peers connected (connections.min 3)`,
 * or for a suspended node `suspended since ... (operator_suspend): <note>`.
 */
export function connectivityLine (status: ConnectivityStatus): string {
  const since = `${stateName(status.state)} since ${new Date(status.sinceMs).toISOString()} (${status.reason})`
  const peers = `${status.connectedPeers} ${status.connectedPeers === 1 ? 'peer' : 'peers'} connected (connections.min ${status.minConnections})`
  return stateName(status.state) === 'suspended' ? `${since}${status.note === '' ? '' : `: ${status.note}`}` : `${since}, ${peers}`
}

/** The status as JSON, with the state spelled as in the .proto file. */
export function connectivityJson (status: ConnectivityStatus): Record<string, unknown> {
  return { ...status, state: CONNECTIVITY_STATE.nameOf(status.state) ?? status.state }
}

function print (report: ConnectivityReport, json: boolean): void {
  const status = report.status
  if (status === undefined) throw new Error('the node answered without a connectivity status')
  if (json) {
    const recent = report.recent.map(c => ({ ...c, from: CONNECTIVITY_STATE.nameOf(c.from) ?? c.from, to: CONNECTIVITY_STATE.nameOf(c.to) ?? c.to }))
    process.stdout.write(`${JSON.stringify({ status: connectivityJson(status), recent })}\n`)
    return
  }
  process.stdout.write(`${connectivityLine(status)}\n`)
}

/** Suspends the node (offline mode) and prints its connectivity once its peer connections are closed. */
export async function runOffline (flags: OfflineFlags): Promise<void> {
  const client = clientFrom(flags)
  try {
    print(await client.suspend(flags.reason ?? ''), flags.json === true)
  } finally {
    client.close()
  }
}

/** Resumes the node and prints its connectivity. */
export async function runOnline (flags: OnlineFlags): Promise<void> {
  const client = clientFrom(flags)
  try {
    print(await client.resume(), flags.json === true)
  } finally {
    client.close()
  }
}
