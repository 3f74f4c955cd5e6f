/**
 * NAT behaviour discovery (RFC 5780 §4.3 mapping, §4.4 filtering) as a pure planner and decision
 * function. The adapter asks `nextBehaviourTest(outcomes)` what to send, runs it, records the outcome,
 * and asks again until it gets undefined; then `classifyNat(outcomes, isLocal)` gives the verdict.
 *
 * The mapping tests and the filtering tests each run on their own socket (their own NAT mapping): the
 * mapping tests send to the server's alternate address, which would open an address-dependent filter
 * towards it and make a restricted-cone NAT look like a full cone to a later filtering test on the same
 * mapping (RFC 5780 §4.4 warns that earlier tests can change the filter state).
 */
import type { ChangeRequest } from './attributes.ts'
import { canonicalIp, sameEndpoint, type Endpoint } from './ip.ts'

/** The six tests of RFC 5780 §4.3-4.4 (test I of each sequence is a plain Binding request). */
export type BehaviourTest = 'mapping-1' | 'mapping-2' | 'mapping-3' | 'filtering-1' | 'filtering-2' | 'filtering-3'

/** Which sequence (and so which socket) a test belongs to. */
export type BehaviourSequence = 'mapping' | 'filtering'

/** A test to run: where to send the Binding request and what to ask the server to change. */
export interface PlannedTest {
  test: BehaviourTest
  sequence: BehaviourSequence
  to: Endpoint
  change?: ChangeRequest
}

/** What a test produced: the response's addresses, or nothing (all retransmissions timed out). */
export interface TestOutcome {
  test: BehaviourTest
  response?: { mapped: Endpoint, otherAddress?: Endpoint, from: Endpoint }
}

/** Mapping behaviour (RFC 4787 §4.1 terms, as RFC 5780 reports them); 'no-nat' when mapped = local. */
export type MappingBehaviour = 'no-nat' | 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent' | 'unknown'
/** Filtering behaviour (RFC 4787 §5). */
export type FilteringBehaviour = 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent' | 'unknown'
/** The classic RFC 3489 names. */
export type ClassicNatType =
  | 'open-internet' | 'full-cone' | 'restricted-cone' | 'port-restricted-cone' | 'symmetric'
  | 'symmetric-udp-firewall' | 'udp-blocked' | 'unknown'

/** Every classic name, for configuration (`nat.forceType`) and validation. */
export const CLASSIC_NAT_TYPES: readonly ClassicNatType[] = [
  'open-internet', 'full-cone', 'restricted-cone', 'port-restricted-cone', 'symmetric', 'symmetric-udp-firewall', 'udp-blocked', 'unknown'
]

/** The verdict of a discovery run. */
export interface NatBehaviour {
  mapping: MappingBehaviour
  filtering: FilteringBehaviour
  natType: ClassicNatType
  /** The address test I saw; undefined when UDP is blocked. */
  mappedAddress?: Endpoint
  /** False when the server cannot run RFC 5780 tests (no usable OTHER-ADDRESS). */
  behaviourTestsSupported: boolean
}

const outcomeOf = (outcomes: readonly TestOutcome[], test: BehaviourTest): TestOutcome | undefined =>
  outcomes.find(o => o.test === test)

/** The server's alternate address from a test I response, if it is usable (another IP and port). */
export function alternateAddress (primary: Endpoint, first: TestOutcome | undefined): Endpoint | undefined {
  const other = first?.response?.otherAddress
  if (other === undefined || other.family !== primary.family) return undefined
  if (canonicalIp(other.address) === canonicalIp(primary.address) || other.port === primary.port) return undefined
  return other
}

/** The next test of one sequence, or undefined when that sequence is finished. */
export function nextInSequence (sequence: BehaviourSequence, primary: Endpoint, outcomes: readonly TestOutcome[]): PlannedTest | undefined {
  const first = outcomeOf(outcomes, `${sequence}-1`)
  if (first === undefined) return { test: `${sequence}-1`, sequence, to: primary }
  const alt = alternateAddress(primary, first)
  if (first.response === undefined || alt === undefined) return undefined
  const second = outcomeOf(outcomes, `${sequence}-2`)
  if (sequence === 'mapping') {
    // §4.3 test II: to the alternate IP with the primary port; test III: alternate IP and port.
    if (second === undefined) return { test: 'mapping-2', sequence, to: { ...alt, port: primary.port } }
    if (second.response === undefined || sameEndpoint(second.response.mapped, first.response.mapped)) return undefined
    if (outcomeOf(outcomes, 'mapping-3') === undefined) return { test: 'mapping-3', sequence, to: alt }
    return undefined
  }
  // §4.4 test II: ask for the response from the other IP and port; test III: from the other port only.
  if (second === undefined) return { test: 'filtering-2', sequence, to: primary, change: { changeIp: true, changePort: true } }
  if (second.response !== undefined) return undefined
  if (outcomeOf(outcomes, 'filtering-3') === undefined) return { test: 'filtering-3', sequence, to: primary, change: { changeIp: false, changePort: true } }
  return undefined
}

/** Both sequences' next tests (they may run in parallel, each on its own socket). */
export function nextBehaviourTests (primary: Endpoint, outcomes: readonly TestOutcome[]): PlannedTest[] {
  return (['mapping', 'filtering'] as const)
    .map(sequence => nextInSequence(sequence, primary, outcomes))
    .filter((t): t is PlannedTest => t !== undefined)
}

function mappingOf (outcomes: readonly TestOutcome[], mapped: Endpoint, supported: boolean, isLocal: (e: Endpoint) => boolean): MappingBehaviour {
  if (isLocal(mapped)) return 'no-nat'
  if (!supported) return 'unknown'
  const second = outcomeOf(outcomes, 'mapping-2')?.response
  if (second === undefined) return 'unknown'
  if (sameEndpoint(second.mapped, mapped)) return 'endpoint-independent'
  const third = outcomeOf(outcomes, 'mapping-3')?.response
  if (third === undefined) return 'unknown'
  return sameEndpoint(third.mapped, second.mapped) ? 'address-dependent' : 'address-and-port-dependent'
}

function filteringOf (outcomes: readonly TestOutcome[], supported: boolean): FilteringBehaviour {
  const first = outcomeOf(outcomes, 'filtering-1')
  if (!supported || first?.response === undefined) return 'unknown'
  const second = outcomeOf(outcomes, 'filtering-2')
  if (second === undefined) return 'unknown'
  if (second.response !== undefined) return 'endpoint-independent'
  const third = outcomeOf(outcomes, 'filtering-3')
  if (third === undefined) return 'unknown'
  return third.response !== undefined ? 'address-dependent' : 'address-and-port-dependent'
}

/** The classic name for a mapping/filtering pair (RFC 5780 §1 relates them to RFC 3489's names). */
export function classicName (mapping: MappingBehaviour, filtering: FilteringBehaviour): ClassicNatType {
  if (mapping === 'no-nat') {
    if (filtering === 'endpoint-independent') return 'open-internet'
    return filtering === 'unknown' ? 'unknown' : 'symmetric-udp-firewall'
  }
  if (mapping === 'address-dependent' || mapping === 'address-and-port-dependent') return 'symmetric'
  if (mapping !== 'endpoint-independent') return 'unknown'
  switch (filtering) {
    case 'endpoint-independent': return 'full-cone'
    case 'address-dependent': return 'restricted-cone'
    case 'address-and-port-dependent': return 'port-restricted-cone'
    default: return 'unknown'
  }
}

/** The verdict from the recorded outcomes; `isLocal` says whether an address is one of this host's. */
export function classifyNat (primary: Endpoint, outcomes: readonly TestOutcome[], isLocal: (e: Endpoint) => boolean): NatBehaviour {
  const first = outcomeOf(outcomes, 'mapping-1')?.response ?? outcomeOf(outcomes, 'filtering-1')?.response
  if (first === undefined) {
    const tried = outcomeOf(outcomes, 'mapping-1') !== undefined || outcomeOf(outcomes, 'filtering-1') !== undefined
    return { mapping: 'unknown', filtering: 'unknown', natType: tried ? 'udp-blocked' : 'unknown', behaviourTestsSupported: false }
  }
  const supported = alternateAddress(primary, outcomeOf(outcomes, 'mapping-1') ?? outcomeOf(outcomes, 'filtering-1')) !== undefined
  const mapping = mappingOf(outcomes, first.mapped, supported, isLocal)
  const filtering = filteringOf(outcomes, supported)
  return { mapping, filtering, natType: classicName(mapping, filtering), mappedAddress: first.mapped, behaviourTestsSupported: supported }
}
