/**
 * CLI flags generated from the configuration schema: every setting gets its flag (--health-interval-ms),
 * so the CLI, the environment and config files can never disagree about what exists. In --help the
 * flags are grouped by configuration section ("Gossip options:", "Gateway (app API) options:"...).
 */
import { Option, type Command } from 'commander'
import { configLeaves, loadConfig, type Config, type ConfigLeaf } from '../config/index.ts'
import type { ConfigSelection } from './options.ts'

/** Help headings of the configuration sections; the top-level settings are "Node options". */
const GROUPS: Readonly<Record<string, string>> = {
  connections: 'Connection options:',
  peers: 'Peer list options:',
  discovery: 'Discovery options:',
  health: 'Health check options:',
  nat: 'NAT options:',
  gossip: 'Gossip options:',
  gateway: 'Gateway (app API) options:',
  ops: 'Ops listener options:',
  log: 'Logging options:'
}

/** The --help heading of a setting's flag. */
export function helpGroupOf (leaf: ConfigLeaf): string {
  if (leaf.path.length === 1) return 'Node options:'
  const section = leaf.path[0] ?? ''
  return GROUPS[section] ?? `${section.charAt(0).toUpperCase()}${section.slice(1)} options:`
}

/** Whether `selection` includes a setting: 'all', its key, or a prefix of its key ('nat'). */
export function selects (selection: ConfigSelection, leaf: ConfigLeaf): boolean {
  return selection === 'all' || selection.some(s => leaf.key === s || leaf.key.startsWith(`${s}.`))
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]

/** Adds one flag per selected configuration setting to a command, grouped by section in --help. */
export function addConfigFlags (command: Command, selection: ConfigSelection): Command {
  for (const leaf of configLeaves) {
    if (!selects(selection, leaf)) continue
    const help = `${leaf.description}; ${leaf.allowed} [${leaf.env}, default ${JSON.stringify(leaf.fallback)}]`
    const option = leaf.kind === 'list'
      ? new Option(`${leaf.flag} <value>`, `${help} (repeatable)`).argParser(collect)
      : new Option(`${leaf.flag} <value>`, help)
    command.addOption(option.helpGroup(helpGroupOf(leaf)))
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
