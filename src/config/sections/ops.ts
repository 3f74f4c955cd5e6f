/**
 * The operations listener: plain HTTP for orchestrators' probes (/livez, /readyz; src/probes/). No TLS
 * and no token: it serves nothing but probes, on loopback by default (metrics: the `metrics` section).
 */
import { z } from 'zod'
import { flag, integer, text } from '../fields.ts'

/** The `ops` section of the configuration. */
export const opsSection = z.strictObject({
  enabled: flag(true, 'Serve the operations endpoints (/livez, /readyz) over plain HTTP'),
  host: text('127.0.0.1', 'Interface the operations listener binds (0.0.0.0 or :: for every interface, e.g. for Kubernetes probes)', 'a host name or IP address'),
  port: integer(0, 65_535, 4290, 'TCP port of the operations listener (0 picks a free port)')
}).prefault({})
