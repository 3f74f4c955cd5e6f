/** `sorcha-peer start`: run a node until SIGINT/SIGTERM. */
import type { Command } from 'commander'
import { runNode } from '../../node/run.ts'
import { addConfigOptions, configFromOptions } from '../options.ts'

/** Registers the `start` command. */
export function registerStartCommand (program: Command): void {
  addConfigOptions(program.command('start')
    .description('start a node (embedded defaults: data in ./sorcha-data, TCP port 4100, no bootstrap peers = this node is a bootstrap node)'))
    .action(async (options: Record<string, unknown>) => {
      const config = await configFromOptions(options)
      process.exitCode = await runNode(config)
    })
}
