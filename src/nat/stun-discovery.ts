/**
 * Runs RFC 5780 NAT behaviour discovery against the configured STUN servers, with failover: a server
 * that does not answer test I is skipped for the next; if none answers, UDP is (as far as we can tell)
 * blocked. The decisions are the pure planner and classifier of protocols/stun/behaviour.ts; this file
 * only opens the two sockets (one per test sequence) and carries the tests out.
 */
import {
  classifyNat, formatEndpoint, nextBehaviourTests, canonicalIp,
  type Endpoint, type NatBehaviour, type PlannedTest, type TestOutcome, type TransactionTiming
} from '../../protocols/stun/index.ts'
import { logger } from '../logging/index.ts'
import { MAX_SERVERS_PER_CHECK } from './constants.ts'
import { parseServer, resolveServer } from './servers.ts'
import { StunClient, type StunClientOptions } from './stun-client.ts'

/** Options for a discovery run. */
export interface StunDiscoveryOptions extends StunClientOptions {
  /** "host:port" names, tried in order. */
  servers: readonly string[]
  /** This host's own IP addresses (to recognise "no NAT"). */
  localAddresses: readonly string[]
  /** Run the RFC 5780 behaviour tests (otherwise only test I). @default true */
  behaviourTests?: boolean
  timing?: TransactionTiming
  signal?: AbortSignal
}

/** The result of a discovery run. */
export interface StunDiscovery {
  behaviour: NatBehaviour
  /** The server that answered ("host:port" as configured); undefined if none did. */
  server?: string
  /** One line per server that failed. */
  problems: string[]
}

async function runSequence (client: StunClient, primary: Endpoint, outcomes: TestOutcome[], sequence: PlannedTest['sequence'], behaviourTests: boolean, signal?: AbortSignal): Promise<void> {
  for (;;) {
    const test = nextBehaviourTests(primary, outcomes).find(t => t.sequence === sequence)
    if (test === undefined || (!behaviourTests && !test.test.endsWith('-1'))) return
    const outcome = await client.binding(test.to, { ...(test.change === undefined ? {} : { change: test.change }), ...(signal === undefined ? {} : { signal }) })
    outcomes.push(outcome.kind === 'success'
      ? { test: test.test, response: { mapped: outcome.result.mapped, from: outcome.from, ...(outcome.result.otherAddress === undefined ? {} : { otherAddress: outcome.result.otherAddress }) } }
      : { test: test.test })
    if (outcome.kind === 'success') continue
    if (outcome.kind !== 'timeout') return
  }
}

interface Run { outcomes: TestOutcome[], isLocal: (e: Endpoint) => boolean }

async function discoverWith (primary: Endpoint, options: StunDiscoveryOptions): Promise<Run> {
  const [mappingClient, filteringClient] = await Promise.all([StunClient.open(primary.family, options), StunClient.open(primary.family, options)])
  const locals = new Set(options.localAddresses.map(a => canonicalIp(a) ?? a))
  const outcomes: TestOutcome[] = []
  try {
    const behaviourTests = options.behaviourTests ?? true
    await Promise.all([
      runSequence(mappingClient, primary, outcomes, 'mapping', behaviourTests, options.signal),
      runSequence(filteringClient, primary, outcomes, 'filtering', behaviourTests, options.signal)
    ])
    const localPorts = new Set([mappingClient.localPort, filteringClient.localPort])
    // "No NAT" (RFC 5780 §4.3): the mapped address is one of ours, with the port our socket is bound to.
    return { outcomes, isLocal: e => localPorts.has(e.port) && locals.has(canonicalIp(e.address) ?? e.address) }
  } finally {
    mappingClient.close()
    filteringClient.close()
  }
}

/** Tries each server until one answers; classifies the NAT from that server's tests. */
export async function discoverWithStun (options: StunDiscoveryOptions): Promise<StunDiscovery> {
  const log = logger('sorcha:nat')
  const problems: string[] = []
  let tried = 0
  for (const name of options.servers.slice(0, MAX_SERVERS_PER_CHECK)) {
    options.signal?.throwIfAborted()
    let primary: Endpoint
    try {
      primary = await resolveServer(parseServer(name))
    } catch (err) {
      problems.push(`${name}: ${(err as Error).message}`)
      continue
    }
    tried++
    const { outcomes, isLocal } = await discoverWith(primary, options)
    const behaviour = classifyNat(primary, outcomes, isLocal)
    if (behaviour.natType !== 'udp-blocked') {
      log.debug({ server: name, primary: formatEndpoint(primary), behaviour }, 'STUN discovery finished')
      return { behaviour, server: name, problems }
    }
    problems.push(`${name}: no response`)
  }
  const natType = tried > 0 ? 'udp-blocked' : 'unknown'
  return { behaviour: { mapping: 'unknown', filtering: 'unknown', natType, behaviourTestsSupported: false }, problems }
}
