/**
 * The sorcha-peer command line. Each command lives in its own module under commands/ and registers
 * itself here. Exit codes: 0 success, 1 runtime failure, 2 bad usage or configuration (one line on
 * stderr, never a stack trace).
 */
import { Command, CommanderError } from 'commander'
import { ConfigError, ConfigFileError } from '../config/index.ts'
import { InvalidArgumentError } from '../gateway/errors.ts'
import { clientErrorLines } from './client-errors.ts'
import { registerCertsCommand } from './commands/certs.ts'
import { registerConfigCommand } from './commands/config.ts'
import { registerIdCommand } from './commands/id.ts'
import { registerPeersCommand } from './commands/peers.ts'
import { registerStartCommand } from './commands/start.ts'
import { registerNatCommand } from './commands/nat.ts'
import { registerStatusCommand } from './commands/status.ts'
import { registerSubmitCommand } from './commands/submit.ts'
import { registerWatchCommand } from './commands/watch.ts'

/** Exit code for a user mistake: bad flags, bad configuration. */
export const EXIT_USAGE = 2

/** Builds the program; exported so tests can run commands in-process. */
export function buildProgram (): Command {
  const program = new Command('sorcha-peer')
    .description('Sorcha Peer: a libp2p node that discovers peers and spreads transactions')
    .showHelpAfterError('(sorcha-peer <command> --help shows the options)')
    .exitOverride()
    .configureOutput({ writeErr: text => process.stderr.write(text) })
  registerStartCommand(program)
  registerIdCommand(program)
  registerConfigCommand(program)
  registerPeersCommand(program)
  registerNatCommand(program)
  registerStatusCommand(program)
  registerSubmitCommand(program)
  registerWatchCommand(program)
  registerCertsCommand(program)
  for (const command of program.commands) command.exitOverride()
  return program
}

/** Runs the CLI with the given argv and returns the exit code. */
export async function main (argv: string[]): Promise<number> {
  const program = buildProgram()
  try {
    await program.parseAsync(argv)
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : EXIT_USAGE
    }
    if (err instanceof InvalidArgumentError) {
      process.stderr.write(`sorcha-peer: ${err.name} (${err.reason}): ${err.message}\n`)
      return EXIT_USAGE
    }
    const client = clientErrorLines(err)
    if (client !== undefined) {
      for (const line of client.lines) process.stderr.write(`sorcha-peer: ${line}\n`)
      return client.exitCode
    }
    if (err instanceof ConfigError || err instanceof ConfigFileError) {
      process.stderr.write(`sorcha-peer: ${err.message}\n`)
      return EXIT_USAGE
    }
    process.stderr.write(`sorcha-peer: ${(err as Error).message ?? String(err)}\n`)
    return 1
  }
}
