/**
 * Which configuration settings a command takes as flags. A command declares its selection here when
 * it is registered, which costs nothing; the flags themselves (one per setting, generated from the
 * configuration schema) are attached only when that command is about to parse its arguments or show
 * its help, so a call that never reads the configuration (status, submit, watch) never loads it.
 */
import { Option, type Command } from 'commander'

/** 'all' settings, or setting keys and section prefixes ('dataDir', 'nat' for every nat.* setting). */
export type ConfigSelection = 'all' | readonly string[]

const pending = new WeakMap<Command, ConfigSelection>()

/** Gives `command` --config now and the selected configuration flags when it runs (attachConfigOptions). */
export function useConfigOptions (command: Command, selection: ConfigSelection): Command {
  command.addOption(new Option('--config <file>', 'configuration file (YAML or JSON); also $SORCHA_CONFIG'))
  pending.set(command, selection)
  return command
}

/** Adds the configuration flags `command` asked for, once; a no-op for commands that asked for none. */
export async function attachConfigOptions (command: Command): Promise<void> {
  const selection = pending.get(command)
  if (selection === undefined) return
  pending.delete(command)
  const { addConfigFlags } = await import('./config-flags.ts')
  addConfigFlags(command, selection)
}
