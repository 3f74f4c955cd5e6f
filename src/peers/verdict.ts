/**
 * The one place a core's verdict on a peer's message becomes consequences (docs/conventions.md §2):
 * a peer-list action, a debug log line, and (through the caller's metrics) a label. `reject` counts as
 * a failure against the peer, so repeated misbehaviour degrades it, lowers its score and eventually
 * removes it; `ignore` and `accept` cost nothing.
 */
import type { Verdict } from '../../protocols/common/effects.ts'
import type { Logger } from '../logging/index.ts'
import type { PeerList } from './types.ts'

/** Applies a verdict about `peerId`; never throws (a busy or stopped list only loses the penalty). */
export async function applyVerdict (peerList: Pick<PeerList, 'recordFailure'>, peerId: string, verdict: Verdict, code: string, log?: Logger): Promise<void> {
  if (verdict !== 'reject') return
  log?.debug({ peer: peerId, code }, 'peer message rejected')
  await peerList.recordFailure(peerId, { now: Date.now(), reason: `rejected: ${code}` }).catch(() => undefined)
}
