/**
 * The metrics listener: Prometheus text at GET /metrics over plain HTTP (src/metrics/, docs/metrics.md).
 * Off by default; when on, it binds loopback unless told otherwise.
 */
import { z } from 'zod'
import { flag, integer, text } from '../fields.ts'

/** The `metrics` section of the configuration. */
export const metricsSection = z.strictObject({
  enabled: flag(false, 'Collect Prometheus metrics and serve them at /metrics on their own listener'),
  host: text('127.0.0.1', 'Interface the metrics listener binds (0.0.0.0 or :: for every interface, e.g. for a Prometheus server elsewhere)', 'a host name or IP address'),
  port: integer(0, 65_535, 4291, 'TCP port of the metrics listener (0 picks a free port)')
}).prefault({})
