/**
 * Kubernetes service links (docs/adr/0005-environment-variables.md). For every Service in a pod's
 * namespace, the kubelet injects variables named after the Service (`sorcha-peer` -> SORCHA_PEER):
 *
 *   SORCHA_PEER_SERVICE_HOST=10.0.0.1            SORCHA_PEER_PORT=tcp://10.0.0.1:4100
 *   SORCHA_PEER_SERVICE_PORT=4100                SORCHA_PEER_PORT_4100_TCP=tcp://10.0.0.1:4100
 *   SORCHA_PEER_SERVICE_PORT_<PORT NAME>=4100    SORCHA_PEER_PORT_4100_TCP_PROTO=tcp
 *                                                SORCHA_PEER_PORT_4100_TCP_PORT=4100
 *                                                SORCHA_PEER_PORT_4100_TCP_ADDR=10.0.0.1
 *
 * A variable is a service link when its name AND its value have one of these shapes (the value is
 * checked too, so that a misspelt setting such as SORCHA_GATEWAY_GPRC_PORT=4201 is still an error).
 * Service names are DNS labels (a-z, 0-9, '-'), upper-cased with '-' turned into '_'.
 */
import { isIP } from 'node:net'
import { configLeaves } from './leaves.ts'

/** The part of a service-link name that comes from the Service's name: SORCHA or SORCHA_<rest>. */
const PREFIX = 'SORCHA(?:_[A-Z0-9_]*[A-Z0-9])?'
const PROTOCOLS = '(TCP|UDP|SCTP)'

const isPort = (value: string): boolean => /^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 65_535

/** "tcp://10.0.0.1:4100" or "tcp://[fd00::1]:4100"; `protocol` and `port`, when given, must match. */
function isLinkUrl (value: string, protocol?: string, port?: string): boolean {
  const match = /^(tcp|udp|sctp):\/\/(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(value)
  if (match === null) return false
  const ip = match[2] ?? match[3] ?? ''
  const ipOk = match[2] !== undefined ? isIP(ip) === 6 : isIP(ip) === 4
  return ipOk && isPort(match[4] ?? '') &&
    (protocol === undefined || match[1] === protocol.toLowerCase()) &&
    (port === undefined || match[4] === port)
}

/** Each service-link name shape, with the check its value must pass. */
const RULES: Array<[RegExp, (value: string, groups: string[]) => boolean]> = [
  [new RegExp(`^${PREFIX}_SERVICE_HOST$`), value => isIP(value) !== 0],
  [new RegExp(`^${PREFIX}_SERVICE_PORT$`), value => isPort(value)],
  [new RegExp(`^${PREFIX}_SERVICE_PORT_[A-Z0-9_]+$`), value => isPort(value)],
  [new RegExp(`^${PREFIX}_PORT$`), value => isLinkUrl(value)],
  [new RegExp(`^${PREFIX}_PORT_(\\d{1,5})_${PROTOCOLS}$`), (value, [port, protocol]) => isLinkUrl(value, protocol, port)],
  [new RegExp(`^${PREFIX}_PORT_(\\d{1,5})_${PROTOCOLS}_PROTO$`), (value, [, protocol]) => value === protocol?.toLowerCase()],
  [new RegExp(`^${PREFIX}_PORT_(\\d{1,5})_${PROTOCOLS}_PORT$`), (value, [port]) => value === port],
  [new RegExp(`^${PREFIX}_PORT_(\\d{1,5})_${PROTOCOLS}_ADDR$`), value => isIP(value) !== 0]
]

/**
 * True when `name=value` is a variable Kubernetes injects for a Service whose name starts with
 * `sorcha` (enableServiceLinks), not a setting.
 */
export function isServiceLink (name: string, value: string | undefined): boolean {
  if (value === undefined) return false
  for (const [pattern, valueOk] of RULES) {
    const match = pattern.exec(name)
    if (match !== null && valueOk(value, match.slice(1))) return true
  }
  return false
}

/** A service-link variable found in the environment. */
export interface ServiceLinkVariable {
  name: string
  value: string
  /** The setting whose variable this link shadows (a Service named sorcha-ops sets SORCHA_OPS_PORT). */
  shadows?: string
}

/** The SORCHA_* service-link variables of `env`, sorted by name, marking those that shadow a setting. */
export function serviceLinkVariables (env: Record<string, string | undefined>): ServiceLinkVariable[] {
  const settings = new Map(configLeaves.map(leaf => [leaf.env, leaf.key]))
  return Object.keys(env).sort()
    .filter(name => name.startsWith('SORCHA') && isServiceLink(name, env[name]))
    .map(name => {
      const shadows = settings.get(name)
      return { name, value: env[name] as string, ...(shadows === undefined ? {} : { shadows }) }
    })
}
