/**
 * A scenario shrunk for a validation run of a testbed benchmark (`--seconds`): its workload and
 * every fault time scaled so that the workload lasts the given seconds, at the same rate. The
 * duration stays: it is an upper bound, and a run ends as soon as every node holds everything.
 */
import { validateScenario } from '../scenario/load.ts'
import type { Scenario } from '../scenario/schema.ts'

/** How long a scenario's workload lasts, s (transactions / rate). */
export function workloadSeconds (s: Scenario): number {
  return s.workload.transactions / s.workload.ratePerSec
}

/** The scenario with its workload lasting `seconds` and its faults' times scaled alike (validated again). */
export function scaleScenario (s: Scenario, seconds: number): Scenario {
  const f = seconds / workloadSeconds(s)
  const t = (ms: number): number => Math.round(ms * f)
  const faults = s.faults
  return validateScenario({
    ...s,
    workload: { ...s.workload, startMs: t(s.workload.startMs), transactions: Math.max(1, Math.round(s.workload.transactions * f)) },
    faults: {
      crashes: faults.crashes.map(c => ({ ...c, atMs: t(c.atMs) })),
      partitions: faults.partitions.map(p => ({ ...p, fromMs: t(p.fromMs), toMs: t(p.toMs) })),
      offline: faults.offline.map(o => ({ ...o, fromMs: t(o.fromMs), toMs: t(o.toMs) })),
      freezes: faults.freezes.map(z => ({ ...z, fromMs: t(z.fromMs), toMs: t(z.toMs) })),
      restarts: faults.restarts.map(r => ({ ...r, atMs: t(r.atMs), downMs: t(r.downMs), ...(r.everyMs === undefined ? {} : { everyMs: t(r.everyMs) }) }))
    }
  }, s.name)
}
