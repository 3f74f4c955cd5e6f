/**
 * libp2p's component logger, bridged to our pino logger `sorcha:libp2p`. libp2p creates a logger per
 * component, connection and stream; its default (weald, `debug`-style) checks the terminal for
 * colour support every time, which measured ~3 % of all CPU while 100 nodes joined. When the root
 * level is above trace this returns one shared no-op logger, so libp2p's logging costs nothing;
 * at trace, lines go to pino with libp2p's %p/%a/%c/%e placeholders rendered as strings.
 */
import { format } from 'node:util'
import type { ComponentLogger, Logger as Libp2pLogger } from '@libp2p/interface'
import type { Logger } from 'pino'

type Write = (message: string) => void

function make (enabled: boolean, write: { debug: Write, error: Write, trace: Write }, scope: string): Libp2pLogger {
  const render = (formatter: unknown, args: unknown[]): string =>
    `${scope}: ${format(String(formatter).replace(/%[pacte]/g, '%s'), ...args.map(a => a instanceof Error ? a.message : a))}`
  const log = ((formatter: unknown, ...args: unknown[]) => { if (enabled) write.debug(render(formatter, args)) }) as Libp2pLogger
  log.error = (formatter: unknown, ...args: unknown[]) => { if (enabled) write.error(render(formatter, args)) }
  log.trace = (formatter: unknown, ...args: unknown[]) => { if (enabled) write.trace(render(formatter, args)) }
  log.enabled = enabled
  log.newScope = (name: string) => enabled ? make(enabled, write, `${scope}:${name}`) : log
  return log
}

/** A libp2p ComponentLogger writing to `log` (a pino logger) only when it is at trace level. */
export function libp2pLogger (log: Logger): ComponentLogger {
  const enabled = log.isLevelEnabled('trace')
  const write = { debug: (m: string) => { log.trace(m) }, error: (m: string) => { log.trace(m) }, trace: (m: string) => { log.trace(m) } }
  const silent = make(false, write, 'libp2p')
  return { forComponent: (name: string) => enabled ? make(true, write, name) : silent }
}
