/** `sorcha-peer config`: prints the effective configuration after file, environment and flags. */
import type { Command } from 'commander'
import { addConfigOptions, configFromOptions } from '../options.ts'

/** Registers the `config` command. */
export function registerConfigCommand (program: Command): void {
  addConfigOptions(program.command('config')
    .description('print the effective configuration (file < SORCHA_* environment < flags) as JSON'))
    .action(async (options: Record<string, unknown>) => {
      const config = await configFromOptions(options)
      process.stdout.write(`${JSON.stringify(config, null, 2)}\n`)
    })
}
