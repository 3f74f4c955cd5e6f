/** `sorcha-peer config`: prints the effective configuration after file, environment and flags. */
import { maskSecrets } from '../../config/secrets.ts'
import { configFromOptions } from '../config-flags.ts'

/** Prints the effective configuration as JSON, with secrets (the API token, keys) masked. */
export async function runConfig (options: Record<string, unknown>): Promise<void> {
  const config = await configFromOptions(options)
  process.stdout.write(`${JSON.stringify(maskSecrets(config), null, 2)}\n`)
}
