/**
 * The gateway domain: API requests by API, method and status with a latency histogram (the gRPC
 * server's interceptor and the REST server's onResponse hook record them), requests refused by the
 * rate limit, and the streaming calls (subscriptions, sessions, uploads) open now.
 */
import type { Registry } from 'prom-client'
import { BucketHistogram, type HistogramSeries } from './bucket-histogram.ts'
import { collectedCounter, collectedGauge, LATENCY_BUCKETS_SECONDS } from './families.ts'

/** The two APIs. */
export const APIS = ['grpc', 'rest'] as const
export type Api = typeof APIS[number]

/** What the gateway domain reads at scrape time. */
export interface GatewaySource {
  rateLimited: () => number
  openStreams: () => { grpc: number, rest: number }
}

/** What the API servers record (their optional `metrics` input). */
export interface GatewayRecorder {
  /**
   * One finished request: `method` is the gRPC method path or the REST route pattern (bounded sets,
   * never a raw URL), `status` the gRPC status name or HTTP status code.
   */
  request: (api: Api, method: string, status: string, seconds: number) => void
}

/** The gateway domain's metrics. */
export interface GatewayMetrics extends GatewayRecorder {
  bind: (source: GatewaySource | undefined) => void
}

/** Creates the gateway families in `registry`. */
export function createGatewayMetrics (registry: Registry): GatewayMetrics {
  let source: GatewaySource | undefined
  // By API, method and status (in the order first seen, as prom-client lists them): the count, read
  // at scrape time, and the API and method's latency series (no label validation or hashing per request).
  const seen = new Map<string, { labels: { api: Api, method: string, status: string }, value: number, duration: HistogramSeries }>()
  collectedCounter({
    registry,
    name: 'sorcha_gateway_requests_total',
    help: 'API requests by API, method (gRPC method or REST route) and status',
    labelNames: ['api', 'method', 'status'],
    read: () => [...seen.values()].map(({ labels, value }) => ({ labels, value }))
  })
  const duration = new BucketHistogram({ name: 'sorcha_gateway_request_duration_seconds', help: 'API request latency (for a streaming call, its whole life)', labelNames: ['api', 'method'], buckets: LATENCY_BUCKETS_SECONDS, registers: [registry] })
  collectedCounter({ registry, name: 'sorcha_gateway_rate_limited_total', help: 'Requests and streamed items refused by the rate limit (gateway.rateLimit)', read: () => source === undefined ? undefined : [{ value: source.rateLimited() }] })
  collectedGauge({
    registry,
    name: 'sorcha_gateway_open_streams',
    help: 'Streaming calls open now (live subscribers, sessions, uploads) by API',
    labelNames: ['api'],
    read: () => { const open = source?.openStreams(); return open === undefined ? undefined : APIS.map(api => ({ labels: { api }, value: open[api] })) }
  })
  return {
    bind: s => { source = s },
    request: (api, method, status, seconds) => {
      const key = `${api} ${status} ${method}`
      let entry = seen.get(key)
      if (entry === undefined) seen.set(key, entry = { labels: { api, method, status }, value: 0, duration: duration.series({ api, method }) })
      entry.value++
      entry.duration.observe(seconds)
    }
  }
}
