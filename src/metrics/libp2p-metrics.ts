/**
 * libp2p's own metrics (@libp2p/prometheus-metrics) in a node's registry. That package keeps the
 * metrics it made in one map for the whole process and hands an existing one back when a name is
 * registered again; with several nodes in one process (tests, benchmarks, the simulator's real mode)
 * a node built second would then count into the first node's registry. This wrapper keeps one map
 * per node and, when the package hands back a metric that is not in this node's registry, empties the
 * package's map (by making a throwaway instance, which is what clears it) and registers afresh.
 */
import type { ComponentLogger, Metrics } from '@libp2p/interface'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Registry } from 'prom-client'

/** Replaces non-name characters as the package does, so the registry can be asked for the name. */
const normalize = (name: string): string => name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_+/g, '_')

/** Empties @libp2p/prometheus-metrics' process-wide map of metrics (a fresh instance clears it). */
function clearSharedMap (logger: ComponentLogger): void {
  prometheusMetrics({ registry: new Registry(), collectDefaultMetrics: false })({ logger })
}

/** libp2p's `metrics` option for a node whose metrics live in `registry`. */
export function libp2pMetrics (registry: Registry): (components: { logger: ComponentLogger }) => Metrics {
  return components => {
    // The Node.js metrics (CPU, memory, GC, event loop) are the process's, kept once (process.ts).
    const inner = prometheusMetrics({ registry, collectDefaultMetrics: false, preserveExistingMetrics: false })(components)
    const mine = new Map<string, unknown>()
    return new Proxy(inner, {
      get (target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown
        if (typeof prop !== 'string' || !prop.startsWith('register') || typeof value !== 'function') return value
        return (name: string, options?: unknown) => {
          if (mine.has(name)) return mine.get(name)
          const register = (): unknown => (value as (n: string, o?: unknown) => unknown).call(target, name, options)
          let metric = register()
          if (registry.getSingleMetric(normalize(name)) === undefined) {
            clearSharedMap(components.logger)
            metric = register()
          }
          mine.set(name, metric)
          return metric
        }
      }
    })
  }
}
