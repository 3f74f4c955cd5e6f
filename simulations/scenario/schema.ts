/**
 * The scenario file format (YAML or JSON), as a zod schema. Every field's error message is the
 * "allowed" text a user sees, so a bad value is reported as key, value, allowed. Documented with
 * examples in simulations/README.md.
 */
import { z } from 'zod'

const num = (allowed: string): z.ZodNumber => z.number({ error: allowed })
/** An integer in [min, max]. */
const int = (min: number, max: number): z.ZodNumber => {
  const allowed = `an integer from ${min} to ${max}`
  return num(allowed).int({ error: allowed }).min(min, { error: allowed }).max(max, { error: allowed })
}
/** A number in [min, max]. */
const range = (min: number, max: number, what = 'a number'): z.ZodNumber => {
  const allowed = `${what} from ${min} to ${max}`
  return num(allowed).min(min, { error: allowed }).max(max, { error: allowed })
}
const positive = (what: string): z.ZodNumber => num(`${what} greater than 0`).positive({ error: `${what} greater than 0` })
const ms = (): z.ZodNumber => range(0, 1e9, 'milliseconds')
const oneOf = <T extends string>(values: readonly [T, ...T[]]): z.ZodEnum<{ [K in T]: K }> =>
  z.enum(values, { error: `one of ${values.join(', ')}` })

/** Largest node count a scenario may ask for. */
export const MAX_NODES = 1_000_000
/** Largest number of transactions a scenario may publish. */
export const MAX_TRANSACTIONS = 10_000_000

const latencyCommon = {
  mode: oneOf(['per-message', 'per-link']).default('per-message'),
  jitterMs: ms().default(0)
}
const LatencySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant'), ms: ms(), ...latencyCommon }),
  z.strictObject({ kind: z.literal('uniform'), minMs: ms(), maxMs: ms(), ...latencyCommon }),
  z.strictObject({ kind: z.literal('normal'), meanMs: ms(), sdMs: ms(), minMs: ms().optional(), ...latencyCommon }),
  z.strictObject({ kind: z.literal('lognormal'), medianMs: positive('milliseconds'), sigma: range(0, 5), minMs: ms().optional(), ...latencyCommon }),
  z.strictObject({ kind: z.literal('preset'), name: oneOf(['loopback', 'datacenter', 'continental', 'global']), ...latencyCommon }),
  // The region model (simulations/network/regions.ts): a link's one-way delay is half its regions' RTT,
  // plus uniform [0, jitterMs) per message; no `mode` (it is per-link by construction).
  z.strictObject({
    kind: z.literal('regions'),
    regions: z.array(z.strictObject({
      name: z.string({ error: 'a region name (text)' }).min(1, { error: 'a region name (text)' }),
      share: range(0, 1, 'a fraction')
    }), { error: 'a list of { name, share }' }).min(1, { error: 'from 1 to 64 regions' }).max(64, { error: 'from 1 to 64 regions' }),
    rttMs: z.array(z.array(ms(), { error: 'a row of round-trip times, ms' }), { error: 'a matrix (list of rows) of round-trip times, ms' }),
    jitterMs: ms().default(0)
  })
], { error: 'kind one of constant, uniform, normal, lognormal, preset, regions' })

const TopologySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('k-regular'), degree: int(1, 1000) }),
  z.strictObject({ kind: z.literal('random'), degree: int(1, 1000) }),
  z.strictObject({
    kind: z.literal('bootstrap'),
    degree: int(1, 1000),
    bootstrapNodes: int(1, 1000).default(1),
    maxConnections: int(1, MAX_NODES).default(MAX_NODES)
  }),
  z.strictObject({ kind: z.literal('full') })
], { error: 'kind one of k-regular, random, bootstrap, full' })

const SizeSchema = z.union([int(1, 64 * 1024 * 1024), z.strictObject({ min: int(1, 64 * 1024 * 1024), max: int(1, 64 * 1024 * 1024) })],
  { error: 'an integer number of bytes, or { min, max }' })

const WorkloadSchema = z.strictObject({
  transactions: int(0, MAX_TRANSACTIONS),
  ratePerSec: positive('transactions per second'),
  startMs: ms().default(0),
  sizeBytes: SizeSchema.default(512),
  publishers: z.union([int(1, MAX_NODES), z.literal('all')], { error: "'all' or an integer number of publishers" }).default('all'),
  registerId: z.string({ error: 'a register id' }).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, { error: 'a register id (1-128 of A-Z a-z 0-9 . _ : -)' }).default('sim')
})

const ChurnEventSchema = z.strictObject({ atMs: ms(), kind: oneOf(['join', 'leave', 'crash']), count: int(1, MAX_NODES) })
const ChurnRateSchema = z.strictObject({
  fromMs: ms(),
  toMs: ms(),
  joinsPerSec: range(0, 1e6).default(0),
  leavesPerSec: range(0, 1e6).default(0),
  crashesPerSec: range(0, 1e6).default(0)
})

const NetworkSchema = z.strictObject({
  uplinkBytesPerSec: positive('bytes per second').optional(),
  lossRate: range(0, 1, 'a probability').default(0),
  sharedCpuMsPerMessage: range(0, 1000, 'milliseconds').default(0),
  natFraction: range(0, 1, 'a fraction').default(0),
  failureDetectionMs: ms().default(1000),
  joinDegree: int(1, 1000).default(8)
})

/** Attacker behaviours (simulations/protocols/tx-gossip-adversary.ts). */
export const ATTACKER_BEHAVIOURS = ['honest', 'silent', 'censor', 'withhold', 'flood'] as const

const behaviour = (): z.ZodEnum<{ [K in typeof ATTACKER_BEHAVIOURS[number]]: K }> => oneOf(ATTACKER_BEHAVIOURS)

/** Attackers among the nodes: present from the start, joining at once (Sybil), or around one target (eclipse). */
const AdversarySchema = z.strictObject({
  /** Share of the initial nodes that are attackers (chosen from the seed; never a publisher). */
  fraction: range(0, 0.9, 'a fraction').default(0),
  behaviour: behaviour().default('censor'),
  /** Attackers behave as honest nodes until this time, then all turn at once (a covert flash). */
  activeFromMs: ms().default(0),
  /** Flooders: fake ids announced to every neighbour per round, their announced size and the round's period. */
  flood: z.strictObject({
    ids: int(1, 10_000).default(20),
    sizeBytes: int(1, 64 * 1024 * 1024).default(512),
    intervalMs: positive('milliseconds').default(1000)
  }).default({ ids: 20, sizeBytes: 512, intervalMs: 1000 }),
  /** A Sybil flash: `count` attackers join at `atMs`, each linked to network.joinDegree random nodes. */
  sybil: z.strictObject({ atMs: ms(), count: int(1, MAX_NODES), behaviour: behaviour().optional() }).optional(),
  /**
   * An eclipse: `attackers` join at `atMs` linked to node `target` and take its connection slots: the
   * target keeps `keepLinks` of its own links (those its outbound protection holds) and loses the rest.
   */
  eclipse: z.strictObject({
    target: int(0, MAX_NODES - 1),
    attackers: int(1, 10_000),
    atMs: ms().default(0),
    keepLinks: int(0, 1000).default(0),
    behaviour: behaviour().optional()
  }).optional(),
  /** Honest nodes run the reputation core (protocols/reputation) on the core's verdicts, as the node does. */
  reputation: z.boolean({ error: 'true or false' }).default(true)
})

/** A scenario file, as validated. */
export const ScenarioSchema = z.strictObject({
  name: z.string({ error: 'a name (text)' }).min(1, { error: 'a name (text)' }),
  description: z.string({ error: 'text' }).optional(),
  seed: int(0, Number.MAX_SAFE_INTEGER).default(1),
  nodes: int(1, MAX_NODES),
  durationMs: range(1, 1e9, 'milliseconds'),
  topology: TopologySchema,
  latency: LatencySchema.default({ kind: 'preset', name: 'loopback', mode: 'per-message', jitterMs: 0 }),
  network: NetworkSchema.default({ lossRate: 0, sharedCpuMsPerMessage: 0, natFraction: 0, failureDetectionMs: 1000, joinDegree: 8 }),
  workload: WorkloadSchema,
  churn: z.strictObject({
    events: z.array(ChurnEventSchema, { error: 'a list of { atMs, kind, count }' }).default([]),
    rate: ChurnRateSchema.optional()
  }).default({ events: [] }),
  faults: z.strictObject({
    crashes: z.array(z.strictObject({ atMs: ms(), fraction: range(0, 1, 'a fraction') }), { error: 'a list of { atMs, fraction }' }).default([]),
    partitions: z.array(z.strictObject({ fromMs: ms(), toMs: ms(), fraction: range(0, 1, 'a fraction').default(0.5) }), { error: 'a list of { fromMs, toMs, fraction }' }).default([]),
    offline: z.array(z.strictObject({ fromMs: ms(), toMs: ms(), fraction: range(0, 1, 'a fraction') }), { error: 'a list of { fromMs, toMs, fraction }' }).default([]),
    // Testbed only (real processes): SIGSTOP at fromMs, SIGCONT at toMs; SIGKILL at atMs, started again downMs later
    // (with everyMs, one victim at a time, everyMs apart: a rolling restart).
    freezes: z.array(z.strictObject({ fromMs: ms(), toMs: ms(), fraction: range(0, 1, 'a fraction') }), { error: 'a list of { fromMs, toMs, fraction }' }).default([]),
    restarts: z.array(z.strictObject({ atMs: ms(), fraction: range(0, 1, 'a fraction'), downMs: ms().default(1000), everyMs: ms().optional() }), { error: 'a list of { atMs, fraction, downMs, everyMs }' }).default([])
  }).default({ crashes: [], partitions: [], offline: [], freezes: [], restarts: [] }),
  protocol: z.strictObject({
    name: z.string({ error: 'a protocol name' }).default('tx-gossip'),
    params: z.record(z.string(), z.unknown(), { error: 'a map of protocol parameters' }).default({})
  }).default({ name: 'tx-gossip', params: {} }),
  adversary: AdversarySchema.optional(),
  report: z.strictObject({
    sampleIntervalMs: positive('milliseconds').optional()
  }).default({}),
  /** Which runner the scenario is meant for: the simulator (sim), real nodes in one process (real), or the testbed (real processes). */
  runner: oneOf(['sim', 'real', 'testbed']).default('sim'),
  /** Testbed settings (testbed/, docs/testbed.md); the simulator ignores them. */
  testbed: z.strictObject({
    /** How links get their delay and loss: tc netem, the userspace relay, or netem where the kernel has it. */
    links: oneOf(['auto', 'netem', 'relay']).default('auto'),
    /** Node configuration (as in a sorcha-peer config file) merged over the testbed's own for every node. */
    nodeConfig: z.record(z.string(), z.unknown(), { error: 'a map of node configuration keys' }).default({})
  }).default({ links: 'auto', nodeConfig: {} })
})

/** A validated scenario. */
export type Scenario = z.infer<typeof ScenarioSchema>
