/** `sorcha-peer status`: a running node's identity, addresses, connectivity, outbound queue, peers and health, through its API. */
import type { QueueStats } from '../../../protos/gen/sorcha/api/v1/peer_discovery.ts'
import type { StatusFlags } from '../commands/api.ts'
import { connectivityJson, connectivityLine } from './connectivity.ts'
import { clientFrom } from './connect.ts'

/** Prints the node's status, as lines or one JSON object. */
export async function runStatus (flags: StatusFlags): Promise<void> {
  const client = clientFrom(flags)
  try {
    const info = await client.nodeInfo()
    const health = await client.networkHealth().catch(() => undefined)
    const status = { ...info, connectivity: info.connectivity === undefined ? null : connectivityJson(info.connectivity), health: health ?? null, transport: client.protocol() ?? null }
    if (flags.json === true) {
      process.stdout.write(`${JSON.stringify(status)}\n`)
      return
    }
    const lines = [
      `peer id      ${info.peerId}`,
      `version      ${info.version}`,
      `uptime       ${Math.round(info.uptimeMs / 1000)} s`,
      `addresses    ${info.addresses.join('\n             ') || '-'}`,
      `connectivity ${info.connectivity === undefined ? 'n/a (no connectivity service)' : connectivityLine(info.connectivity)}`,
      `connections  ${info.connections}`,
      `known peers  ${info.knownPeers}`,
      `health       ${health === undefined ? 'n/a (no health monitor)' : `${health.score.toFixed(1)} / 100 (${health.healthyPeers} healthy, ${health.degradedPeers} degraded, ${health.unreachablePeers} unreachable)`}`,
      `queue        ${queueLine(info.queue)}`,
      `max tx       ${info.maxTransactionBytes} bytes`,
      `via          ${client.protocol() ?? '?'}`
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
  } finally {
    client.close()
  }
}

/** The outbound queue on one line: depth, states, oldest age, and whether the node sends now. */
export function queueLine (queue: QueueStats | undefined): string {
  if (queue === undefined) return 'n/a (no gossip service)'
  const oldest = queue.depth === 0 ? '' : `, oldest ${Math.round(queue.oldestAgeMs / 1000)} s`
  return `${queue.depth} unconfirmed (${queue.queued} queued, ${queue.announced} announced)${oldest}; sending: ${queue.sending ? 'yes' : 'no'}`
}
