/**
 * `sorcha-peer dashboard`: prints the URL of a running node's dashboard and, when an API token is
 * given (--token or $SORCHA_GATEWAY_TOKEN), a one-time login link made from it (docs/dashboard.md).
 * It opens nothing and asks the node nothing: the link's code is an HMAC of the token.
 */
import { InvalidArgumentError, Option, type Command } from 'commander'
import { LOGIN_CODE_TTL_MS, loginPath, makeLoginCode } from '../../dashboard/auth.ts'

/** The usage error for a --rest value that is not a base URL. */
export const BAD_REST_URL = 'must be an http:// or https:// base URL such as http://127.0.0.1:4280'

function restUrl (value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InvalidArgumentError(BAD_REST_URL)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError(BAD_REST_URL)
  return url.origin
}

/** The lines `dashboard` prints. */
export function dashboardLines (rest: string, token: string | undefined, nowMs = Date.now()): string[] {
  const lines = [`dashboard: ${rest}/dashboard`]
  if (token !== undefined && token !== '') {
    lines.push(`login link (works once, for ${LOGIN_CODE_TTL_MS / 60_000} minutes): ${rest}${loginPath(makeLoginCode(token, nowMs))}`)
  } else {
    lines.push('no API token given: the page asks for none if the node has none (gateway.token); otherwise pass --token or set SORCHA_GATEWAY_TOKEN for a login link')
  }
  return lines
}

/** Registers `dashboard`. */
export function registerDashboardCommand (program: Command): void {
  program.command('dashboard')
    .description('print the URL of a running node\'s dashboard, with a one-time login link when an API token is given (opens nothing)')
    .addOption(new Option('--rest <url>', 'REST base URL of the node\'s API (gateway.rest)').default('http://127.0.0.1:4280').argParser(restUrl))
    .addOption(new Option('--token <token>', 'API token (gateway.token)').env('SORCHA_GATEWAY_TOKEN'))
    .action((flags: { rest: string, token?: string }) => {
      for (const line of dashboardLines(flags.rest, flags.token)) console.log(line)
    })
}
