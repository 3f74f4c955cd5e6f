/**
 * SIGHUP re-reads the configuration and applies its gossip.registers to the running node: the
 * difference with the registers served now becomes follow/unfollow calls on the gossip service,
 * which re-advertises the set (src/discovery/advertiser.ts). Only the served registers change at a
 * reload; every other key still needs a restart.
 */
import type { Config } from '../config/index.ts'
import { isServedRegistersControl, servedDifference, updateServed } from '../admin/served-registers.ts'
import type { Logger } from '../logging/index.ts'
import type { SorchaNode } from './sorcha-node.ts'

/** The line logged when the configuration cannot be read again (the node keeps running unchanged). */
export const RELOAD_FAILED_MSG = 'configuration reload failed; the served registers are unchanged'
/** The line logged when a reload changed the served registers. */
export const RELOAD_REGISTERS_MSG = 'configuration reloaded: served registers changed'

/** Loads the configuration again and applies its gossip.registers; never throws. */
export async function reloadServedRegisters (node: SorchaNode, load: () => Promise<Readonly<Config>>, log: Logger): Promise<void> {
  let config: Readonly<Config>
  try {
    config = await load()
  } catch (err) {
    log.error({ err: (err as Error).message }, RELOAD_FAILED_MSG)
    return
  }
  const gossip = (node.libp2p.services as Record<string, unknown>).gossip
  if (!isServedRegistersControl(gossip)) return
  const change = servedDifference(gossip.registers(), config.gossip.registers)
  if (change.follow.length + change.unfollow.length === 0) return
  const { registers } = updateServed(gossip, change)
  log.info({ ...change, registers }, RELOAD_REGISTERS_MSG)
}
