/** `sorcha-peer status`: a running node's identity, addresses, peers and health, through its API. */
import type { Command } from 'commander'
import { addClientOptions, clientFrom, type ClientFlags } from '../client-options.ts'

/** Registers the `status` command. */
export function registerStatusCommand (program: Command): void {
  addClientOptions(program.command('status').description('show a running node\'s status through its API (gRPC, falling back to REST)'))
    .option('--json', 'print one JSON object')
    .action(async (flags: ClientFlags & { json?: boolean }) => {
      const client = clientFrom(flags)
      try {
        const info = await client.nodeInfo()
        const health = await client.networkHealth().catch(() => undefined)
        const status = { ...info, health: health ?? null, transport: client.protocol() ?? null }
        if (flags.json === true) {
          process.stdout.write(`${JSON.stringify(status)}\n`)
          return
        }
        const lines = [
          `peer id      ${info.peerId}`,
          `version      ${info.version}`,
          `uptime       ${Math.round(info.uptimeMs / 1000)} s`,
          `addresses    ${info.addresses.join('\n             ') || '-'}`,
          `connections  ${info.connections}`,
          `known peers  ${info.knownPeers}`,
          `health       ${health === undefined ? 'n/a (no health monitor)' : `${health.score.toFixed(1)} / 100 (${health.healthyPeers} healthy, ${health.degradedPeers} degraded, ${health.unreachablePeers} unreachable)`}`,
          `max tx       ${info.maxTransactionBytes} bytes`,
          `via          ${client.protocol() ?? '?'}`
        ]
        process.stdout.write(`${lines.join('\n')}\n`)
      } finally {
        client.close()
      }
    })
}
