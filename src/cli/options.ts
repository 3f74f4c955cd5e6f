/**
 * CLI options generated from the configuration schema: every setting gets its flag (--health-interval-ms),
 * so the CLI, the environment and config files can never disagree about what exists.
 */
import { Option, type Command } from 'commander'
import { configLeaves, loadConfig, type Config } from '../config/index.ts'

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]

/** Adds --config and one flag per configuration setting to a command. */
export function addConfigOptions (command: Command): Command {
  command.addOption(new Option('--config <file>', 'configuration file (YAML or JSON); also $SORCHA_CONFIG'))
  for (const leaf of configLeaves) {
    const help = `${leaf.description}; ${leaf.allowed} [${leaf.env}, default ${JSON.stringify(leaf.fallback)}]`
    const option = leaf.kind === 'list'
      ? new Option(`${leaf.flag} <value>`, `${help} (repeatable)`).argParser(collect)
      : new Option(`${leaf.flag} <value>`, help)
    command.addOption(option)
  }
  return command
}

/** Reads the configuration for a command from its parsed options, the environment and --config. */
export async function configFromOptions (options: Record<string, unknown>, env: Record<string, string | undefined> = process.env): Promise<Readonly<Config>> {
  const flags: Record<string, unknown> = {}
  for (const leaf of configLeaves) {
    const name = leaf.flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
    if (options[name] !== undefined) flags[leaf.key] = options[name]
  }
  const configFile = typeof options.config === 'string' ? options.config : undefined
  return loadConfig({ ...(configFile === undefined ? {} : { configFile }), env, flags })
}
