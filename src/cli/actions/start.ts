/** `sorcha-peer start`: run a node until SIGINT/SIGTERM. */
import { runNode } from '../../node/run.ts'
import { configFromOptions } from '../config-flags.ts'

/** Runs a node with the configuration from the options, the environment and --config. */
export async function runStart (options: Record<string, unknown>): Promise<void> {
  const config = await configFromOptions(options)
  process.exitCode = await runNode(config, process, { reloadConfig: async () => configFromOptions(options) })
}
