/**
 * Changing the registers a node serves at run time (issue 20): through the gossip service's
 * follow/unfollow only, from an admin call (UpdateServedRegisters) or a configuration reload
 * (SIGHUP re-reads gossip.registers). The gossip service fires 'registers:changed', on which the
 * topology service re-advertises (src/discovery/advertiser.ts).
 */
import { MODEL_LIMITS } from '../../protocols/models/index.ts'
import { InvalidArgumentError } from '../gateway/errors.ts'
import { checkRegisterId } from '../gateway/validate.ts'

/** What a node's gossip service (src/gossip TxDistributor) offers for its served set; `relaysAll` may be absent. */
export interface ServedRegistersControl {
  follow: (registerId: string) => void
  unfollow: (registerId: string) => void
  registers: () => string[]
  relaysAll?: () => boolean
}

/** True when `value` has the shape of a ServedRegistersControl. */
export function isServedRegistersControl (value: unknown): value is ServedRegistersControl {
  const v = value as Record<string, unknown> | undefined
  return typeof v?.follow === 'function' && typeof v.unfollow === 'function' && typeof v.registers === 'function'
}

/** The served set and whether the node relays every register. */
export function servedRegisters (control: ServedRegistersControl): { registers: string[], relay: boolean } {
  return { registers: control.registers(), relay: typeof control.relaysAll === 'function' ? control.relaysAll() : false }
}

/**
 * Follows then unfollows; every id is checked first, so a bad one changes nothing.
 * @throws InvalidArgumentError invalid_register_id, too_many_registers
 */
export function updateServed (control: ServedRegistersControl, change: { follow: readonly string[], unfollow: readonly string[] }): { registers: string[], relay: boolean } {
  if (change.follow.length + change.unfollow.length > MODEL_LIMITS.maxRegisters) {
    throw new InvalidArgumentError('too_many_registers', `at most ${MODEL_LIMITS.maxRegisters} registers per call`)
  }
  change.follow.forEach((id, i) => checkRegisterId(id, `follow[${i}]`))
  change.unfollow.forEach((id, i) => checkRegisterId(id, `unfollow[${i}]`))
  for (const id of change.follow) control.follow(id)
  for (const id of change.unfollow) control.unfollow(id)
  return servedRegisters(control)
}

/**
 * What turns the served set `current` into `wanted` (both as configured: empty = every register):
 * the registers to follow and to unfollow.
 */
export function servedDifference (current: readonly string[], wanted: readonly string[]): { follow: string[], unfollow: string[] } {
  const now = new Set(current)
  const next = new Set(wanted)
  return { follow: [...next].filter(r => !now.has(r)).sort(), unfollow: [...now].filter(r => !next.has(r)).sort() }
}
