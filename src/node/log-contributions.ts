/** The services that make the node's log useful to an operator (issue 17 item 5). */
import type { ServiceMap } from '@libp2p/interface'
import { peerLossLog } from './peer-loss.ts'
import type { ServiceContribution } from './sorcha-node.ts'
import { statusLine } from './status-line.ts'

/**
 * Adds the periodic status line (`log.statusIntervalMs`) as `statusLine` and the last-peer warning as
 * `peerLossLog`. Put it after the services whose figures it reads (peer list, health, connectivity,
 * gossip).
 */
export const logsContribution: ServiceContribution = ({ config }) => ({
  statusLine: statusLine({ intervalMs: config.log.statusIntervalMs, fields: config.log.format === 'json' }),
  peerLossLog: peerLossLog()
}) as unknown as ServiceMap
