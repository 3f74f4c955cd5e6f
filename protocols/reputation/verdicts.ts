/** Which protocol verdicts are offences (SPEC.md §1), for every adapter that feeds this core. */
import type { OffenceCode } from './constants.ts'

/**
 * The offence a gossip core's verdict reports: a reject is an `invalid_message`, a fetch announced
 * or offered and then not served (`unserved-fetch`) an `unserved_fetch`; any other verdict none.
 * The node's gossip service (src/gossip) and the simulator (simulations/protocols) both use it.
 */
export function offenceOfVerdict (verdict: 'accept' | 'ignore' | 'reject', code: string): OffenceCode | undefined {
  if (code === 'unserved-fetch') return 'unserved_fetch'
  return verdict === 'reject' ? 'invalid_message' : undefined
}
