/**
 * The rule for where the API may listen: on an address other machines can reach (anything but
 * loopback), only with an API token (gateway.token or gateway.tokenFile) or mutual TLS
 * (gateway.tls.requireClientCert), unless the operator sets gateway.allowInsecure. Checked before
 * either server binds; a refusal is a configuration mistake (exit code 2) in one line naming the
 * setting, the value and the fix.
 */
import { isLoopbackHost } from '../admin/access.ts'
import { flagOf, StartupError } from '../config/startup-errors.ts'
import type { GatewayConfig } from './gateway.ts'
import { loadSecrets } from './tls.ts'

/** Exit code of a configuration mistake (as for ConfigError). */
const EXIT_CONFIGURATION = 2

/** The API would listen where other machines reach it, unauthenticated. */
export class InsecureApiError extends StartupError {
  override name = 'InsecureApiError'
  constructor (setting: 'gateway.grpc.host' | 'gateway.rest.host', host: string) {
    super('refusing to serve the API on', setting, host,
      'other machines can reach it and it has neither an API token nor mutual TLS',
      `set gateway.token or gateway.tokenFile, or gateway.tls.requireClientCert with tls.cert, tls.key and tls.ca, or listen on 127.0.0.1 with ${flagOf(setting)}; to serve it unprotected anyway, set gateway.allowInsecure (${flagOf('gateway.allowInsecure')} true)`,
      { exitCode: EXIT_CONFIGURATION })
  }
}

/**
 * Checks both listeners of the gateway.
 * @throws InsecureApiError for the first listener that would be open and unprotected
 */
export function checkExposure (config: GatewayConfig): void {
  if (config.allowInsecure) return
  const protectedByToken = config.token !== '' || config.tokenFile !== ''
  const protectedByCertificates = config.tls.requireClientCert && config.tls.cert !== '' && config.tls.ca !== ''
  if (protectedByToken || protectedByCertificates) return
  if (!isLoopbackHost(config.grpc.host)) throw new InsecureApiError('gateway.grpc.host', config.grpc.host)
  if (!isLoopbackHost(config.rest.host)) throw new InsecureApiError('gateway.rest.host', config.rest.host)
}

/**
 * What the gateway checks at its start, for a node to check before anything starts: where it may
 * listen, and that its TLS files and token file are usable.
 * @throws InsecureApiError, TlsFileError
 */
export async function preflightGateway (config: GatewayConfig): Promise<void> {
  checkExposure(config)
  await loadSecrets(config)
}
