/**
 * A Prometheus histogram kept as plain bucket counts, for observations on a hot path (one per
 * transaction per node, one per API request). prom-client's Histogram validates the label set,
 * hashes it and looks the series up by number-keyed object on every `observe`; here a recorder
 * takes a series once (`series(labels)`, validated then) and each observation is a bucket search
 * in a short array and three additions. The counts are read when the registry renders: the object
 * registers in a prom-client Registry as a custom metric (the registry only calls `get()` or
 * `getForPromString()`, `reset()`, and reads `name` and `type`), and renders exactly what
 * prom-client's own Histogram renders for the same observations (names, labels, buckets, HELP and
 * TYPE; test/unit/metrics/bucket-histogram.test.ts compares the two).
 *
 * Differences, none visible in the exposition: a value that is not a finite number is not counted
 * (prom-client throws a TypeError at the recorder); `reset()` zeroes the counts and keeps the
 * series (a recorder's series stays valid); no exemplars, no timers.
 */
import type { Metric, Registry } from 'prom-client'

/** A histogram's name, buckets or label names are not valid. */
export class InvalidHistogramError extends Error {
  override name = 'InvalidHistogramError'
}

/** A label set that is not exactly the histogram's label names with string values. */
export class InvalidHistogramLabelsError extends Error {
  override name = 'InvalidHistogramLabelsError'
}

/** Options of a BucketHistogram. */
export interface BucketHistogramInit {
  name: string
  help: string
  /** Upper bounds, ascending and finite (the `+Inf` bucket is always there). */
  buckets: readonly number[]
  /** @default [] */
  labelNames?: readonly string[]
  /** Registries to register in. @default [] */
  registers?: readonly Registry[]
}

/** One series of a histogram (one label set). */
export interface HistogramSeries {
  /** Counts one observation; a value that is not a finite number is not counted. */
  observe: (value: number) => void
}

/** A sample as prom-client's registry renders it (prom-client's own histogram's shape). */
interface Sample {
  labels: Record<string, string | number>
  sharedLabels?: Record<string, string>
  value: number
  metricName: string
  exemplar: null | undefined
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/

class Series implements HistogramSeries {
  readonly labels: Readonly<Record<string, string>>
  /** Per bucket (not cumulative); the last one is above every bound. */
  readonly counts: Float64Array
  sum = 0
  count = 0
  private readonly bounds: readonly number[]

  constructor (bounds: readonly number[], labels: Record<string, string>) {
    this.bounds = bounds
    this.labels = labels
    this.counts = new Float64Array(bounds.length + 1)
  }

  observe (value: number): void {
    if (!Number.isFinite(value)) return
    const bounds = this.bounds
    let i = 0
    while (i < bounds.length && value > bounds[i]!) i++
    this.counts[i]!++
    this.sum += value
    this.count++
  }
}

/** A histogram of plain bucket counts, rendered by a prom-client Registry. */
export class BucketHistogram {
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  readonly name: string
  readonly help: string
  readonly labelNames: readonly string[]
  readonly buckets: readonly number[]
  private readonly series_ = new Map<string, Series>()

  /** @throws InvalidHistogramError */
  constructor (init: BucketHistogramInit) {
    const { name, help, buckets, labelNames = [], registers = [] } = init
    if (!NAME.test(name)) throw new InvalidHistogramError(`invalid metric name: ${name}`)
    for (const label of labelNames) {
      if (!LABEL.test(label) || label.startsWith('__') || label === 'le') throw new InvalidHistogramError(`${name}: invalid label name: ${label}`)
    }
    if (new Set(labelNames).size !== labelNames.length) throw new InvalidHistogramError(`${name}: a label name is repeated`)
    if (buckets.length === 0 || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!))) {
      throw new InvalidHistogramError(`${name}: buckets must be finite and strictly ascending`)
    }
    this.name = name
    this.help = help
    this.labelNames = Object.freeze([...labelNames])
    this.buckets = Object.freeze([...buckets])
    // Without labels, the one series is exported from the start (zeros), as prom-client does.
    if (this.labelNames.length === 0) this.series()
    // The registry's type is prom-client's four classes; it needs only what this class has.
    for (const registry of registers) registry.registerMetric(this as unknown as Metric)
  }

  /**
   * The series of `labels` (every label name, string values), made on first use. Take it once and
   * observe into it; a labelled series is exported from its first observation (as prom-client does),
   * a histogram without labels from the start.
   * @throws InvalidHistogramLabelsError
   */
  series (labels: Record<string, string> = {}): HistogramSeries {
    let given = 0
    for (const key in labels) {
      if (!this.labelNames.includes(key) || typeof labels[key] !== 'string') throw new InvalidHistogramLabelsError(`${this.name}: label ${key} is not one of ${this.labelNames.join(', ') || '(none)'} or its value is not a string`)
      given++
    }
    if (given !== this.labelNames.length) throw new InvalidHistogramLabelsError(`${this.name}: labels ${this.labelNames.join(', ')} are all required`)
    const key = this.labelNames.map(name => labels[name]).join('\u0000')
    let series = this.series_.get(key)
    if (series === undefined) {
      const own: Record<string, string> = {}
      for (const name of this.labelNames) own[name] = labels[name]!
      series = new Series(this.buckets, Object.freeze(own) as Record<string, string>)
      this.series_.set(key, series)
    }
    return series
  }

  /** What the registry renders as text: the label set of each series apart from `le`, as prom-client does. */
  async getForPromString (): Promise<{ name: string, help: string, type: 'histogram', values: Sample[], aggregator: 'sum' }> {
    const values: Sample[] = []
    const bucket = `${this.name}_bucket`
    for (const series of this.series_.values()) {
      if (series.count === 0 && this.labelNames.length > 0) continue
      const shared = series.labels
      let cumulative = 0
      for (let i = 0; i < this.buckets.length; i++) {
        cumulative += series.counts[i]!
        values.push({ labels: { le: this.buckets[i]! }, sharedLabels: shared, value: cumulative, metricName: bucket, exemplar: null })
      }
      values.push(
        { labels: { le: '+Inf' }, sharedLabels: shared, value: series.count, metricName: bucket, exemplar: null },
        { labels: {}, sharedLabels: shared, value: series.sum, metricName: `${this.name}_sum`, exemplar: undefined },
        { labels: {}, sharedLabels: shared, value: series.count, metricName: `${this.name}_count`, exemplar: undefined }
      )
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator }
  }

  /** The metric as JSON (registry.getMetricsAsJSON, getSingleMetric(name).get()): each sample's labels in one set. */
  async get (): Promise<{ name: string, help: string, type: 'histogram', values: Array<Omit<Sample, 'sharedLabels'>>, aggregator: 'sum' }> {
    const data = await this.getForPromString()
    return {
      ...data,
      values: data.values.map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } }))
    }
  }

  /** Zeroes every series' counts; the series stay (recorders hold them). */
  reset (): void {
    for (const series of this.series_.values()) {
      series.counts.fill(0)
      series.sum = 0
      series.count = 0
    }
  }
}
