/**
 * One confirmation round's questions: asks peers, k at a time in the order given, which of the due
 * transactions their stores hold (the have-query, at most TX_HAVE_MAX_IDS ids per request), until
 * each has k holders or every peer was asked. A peer already known to hold one is not asked about it
 * again; a peer that gives no answer is skipped for the round.
 */
import type { Logger } from '../logging/index.ts'
import { TX_HAVE_MAX_IDS } from './constants.ts'
import type { HaveQuery } from './types.ts'

/** What a round needs of an unconfirmed transaction: its id and the peers known to hold it (updated here). */
export interface Holdable {
  id: string
  holders: Set<string> | undefined
}

/** Records holders on the entries; returns, per tx id, the asked peers that lack it. */
export async function askHolders (have: HaveQuery, peers: readonly string[], due: readonly Holdable[], k: number, options: { signal: AbortSignal, log: Logger }): Promise<Map<string, string[]>> {
  const lacking = new Map<string, string[]>()
  for (let i = 0; i < peers.length && !options.signal.aborted; i += k) {
    const open = due.filter(e => (e.holders?.size ?? 0) < k)
    if (open.length === 0) break
    await Promise.all(peers.slice(i, i + k).map(async peer => {
      const mine = open.filter(e => e.holders?.has(peer) !== true)
      for (let j = 0; j < mine.length; j += TX_HAVE_MAX_IDS) {
        const slice = mine.slice(j, j + TX_HAVE_MAX_IDS)
        let held: boolean[]
        try {
          held = await have.ask(peer, slice.map(e => e.id), { signal: options.signal })
        } catch (err) {
          options.log.debug({ peer, err: (err as Error).message }, 'have-query failed')
          return
        }
        slice.forEach((e, n) => {
          if (held[n] === true) (e.holders ??= new Set()).add(peer)
          else lacking.set(e.id, [...(lacking.get(e.id) ?? []), peer])
        })
      }
    }))
  }
  return lacking
}
