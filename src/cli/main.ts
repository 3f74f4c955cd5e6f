/**
 * The sorcha-peer command line. Each command registers itself from commands/ (options and help only)
 * and loads its implementation from actions/ when it runs, so a call that only talks to a node's API
 * (status, submit, watch, offline, online) loads the client library and not the node. Exit codes: 0 success, 1 runtime
 * failure (the environment refused: a port taken, a database locked, an unreadable key), 2 bad usage
 * or configuration. A failure is one line on stderr naming the setting, the value and the fix, never
 * a stack trace.
 */
import { Command, CommanderError } from 'commander'
import pkg from '../../package.json' with { type: 'json' }
import { registerConnectivityCommands, registerListCommand, registerStatusCommand, registerSubmitCommand, registerWatchCommand } from './commands/api.ts'
import { registerCertsCommand } from './commands/certs.ts'
import { registerEventsCommand } from './commands/events.ts'
import { registerDashboardCommand } from './commands/dashboard.ts'
import { registerAdminCommands } from './commands/admin.ts'
import { registerConfigCommand, registerIdCommand, registerNatCommand, registerPeersCommand, registerStartCommand } from './commands/node.ts'
import { EXIT_FAILURE, EXIT_USAGE } from './exit-codes.ts'
import { attachConfigOptions } from './options.ts'

export { EXIT_FAILURE, EXIT_USAGE } from './exit-codes.ts'

/** The package version, printed by --version. */
export const VERSION: string = pkg.version

/** Builds the program; exported so tests can run commands in-process. */
export function buildProgram (): Command {
  const program = new Command('sorcha-peer')
    .description('Sorcha Peer: a libp2p node that discovers peers and spreads transactions')
    .version(VERSION, '-V, --version', 'print the version')
    .showHelpAfterError('(sorcha-peer <command> --help shows the options)')
    .exitOverride()
    .configureOutput({ writeErr: text => process.stderr.write(text) })
    // The built-in help command prints a command's help without parsing it, before its configuration
    // flags are attached; this one attaches them first.
    .helpCommand(false)
    .hook('preSubcommand', async (_program, command) => { await attachConfigOptions(command) })
  registerStartCommand(program)
  registerIdCommand(program)
  registerConfigCommand(program)
  registerPeersCommand(program)
  registerNatCommand(program)
  registerStatusCommand(program)
  registerSubmitCommand(program)
  registerWatchCommand(program)
  registerConnectivityCommands(program)
  registerListCommand(program)
  registerEventsCommand(program)
  registerCertsCommand(program)
  registerAdminCommands(program)
  registerDashboardCommand(program)
  program.command('help')
    .description('display help for command')
    .argument('[command]', 'the command')
    .action(async (name: string | undefined) => {
      if (name === undefined) return program.help()
      const command = program.commands.find(c => c.name() === name || c.aliases().includes(name))
      if (command === undefined) return program.error(`error: unknown command '${name}'`)
      await attachConfigOptions(command)
      command.help()
    })
  for (const command of program.commands) command.exitOverride()
  return program
}

/** The one line for an error that reached the top, and its exit code. */
async function report (err: unknown): Promise<number> {
  const { InvalidArgumentError } = await import('../gateway/errors.ts')
  if (err instanceof InvalidArgumentError) {
    process.stderr.write(`sorcha-peer: ${err.name} (${err.reason}): ${err.message}\n`)
    return EXIT_USAGE
  }
  const { clientErrorLines } = await import('./client-errors.ts')
  const client = clientErrorLines(err)
  if (client !== undefined) {
    for (const line of client.lines) process.stderr.write(`sorcha-peer: ${line}\n`)
    return client.exitCode
  }
  const { ConfigError, ConfigFileError } = await import('../config/errors.ts')
  if (err instanceof ConfigError || err instanceof ConfigFileError) {
    process.stderr.write(`sorcha-peer: ${err.message}\n`)
    return EXIT_USAGE
  }
  const { StartupError } = await import('../config/startup-error.ts')
  if (err instanceof StartupError) {
    process.stderr.write(`sorcha-peer: ${err.message}\n`)
    return err.exitCode
  }
  // Anything else: still one line (the first of the message), never a stack trace.
  const message = err instanceof Error ? err.message : String(err)
  process.stderr.write(`sorcha-peer: ${message.split('\n')[0] ?? ''}\n`)
  return EXIT_FAILURE
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
    return await report(err)
  }
}
