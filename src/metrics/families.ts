/**
 * Helpers that build metric families in one registry (docs/conventions.md §4): counters and gauges
 * whose values are read from a service's existing counters when Prometheus scrapes (collect()), so
 * the hot path pays nothing for them; and the label values every family may use, as enums.
 */
import { Counter, Gauge, type Registry } from 'prom-client'

/** A label set: label name -> value (every value from an enum). */
export type Labels = Record<string, string>

/** One series read at scrape time: its labels and value. */
export interface Sample {
  labels?: Labels
  value: number
}

/** Reads the current samples of a family; undefined when the source is absent (nothing is exported). */
export type Read = () => Sample[] | undefined

/** Options of a collected family. */
export interface CollectedInit {
  registry: Registry
  name: string
  help: string
  labelNames?: readonly string[]
  read: Read
}

function fill (metric: Counter | Gauge, read: Read, counter: boolean): void {
  metric.reset()
  const samples = read()
  if (samples === undefined) return
  for (const { labels, value } of samples) {
    if (!Number.isFinite(value)) continue
    if (counter) (metric as Counter).inc(labels ?? {}, Math.max(0, value))
    else (metric as Gauge).set(labels ?? {}, value)
  }
}

/**
 * A counter whose value is a service's own running total, read at scrape time. A total that goes
 * down (the service restarted its count) is a counter reset, which rate() handles.
 */
export function collectedCounter (init: CollectedInit): Counter {
  const { registry, name, help, labelNames = [], read } = init
  return new Counter({ name, help, labelNames, registers: [registry], collect () { fill(this, read, true) } })
}

/** A gauge read at scrape time. */
export function collectedGauge (init: CollectedInit): Gauge {
  const { registry, name, help, labelNames = [], read } = init
  return new Gauge({ name, help, labelNames, registers: [registry], collect () { fill(this, read, false) } })
}

/** One sample per enum value, 1 for `current` and 0 for the others (a state as a gauge). */
export function stateSamples (label: string, values: readonly string[], current: string | undefined): Sample[] | undefined {
  if (current === undefined) return undefined
  return values.map(value => ({ labels: { [label]: value }, value: value === current ? 1 : 0 }))
}

/** Milliseconds to seconds. */
export const seconds = (ms: number): number => ms / 1000

/** Latency buckets in seconds, 1 ms to ~30 s. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

/** The gossip strategies (gossip.strategy). */
export const STRATEGIES = ['sorcha', 'gossipsub'] as const
