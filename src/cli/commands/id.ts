/** `sorcha-peer id`: the node's peer id and the addresses it will listen on / announce. */
import type { Command } from 'commander'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { loadOrCreateIdentity } from '../../node/identity.ts'
import { addConfigOptions, configFromOptions } from '../options.ts'

/** Registers the `id` command. */
export function registerIdCommand (program: Command): void {
  addConfigOptions(program.command('id')
    .description('print the peer id (creating the identity key if the data directory has none) and its addresses')
    .option('--json', 'print JSON'))
    .action(async (options: Record<string, unknown>) => {
      const config = await configFromOptions(options)
      const { privateKey, created, path } = await loadOrCreateIdentity(config.dataDir)
      const peerId = peerIdFromPrivateKey(privateKey).toString()
      const addresses = (config.announce.length > 0 ? config.announce : config.listen).map(a => `${a}/p2p/${peerId}`)
      if (options.json === true) {
        process.stdout.write(`${JSON.stringify({ peerId, addresses, identityFile: path, created })}\n`)
        return
      }
      process.stdout.write(`${peerId}\n${addresses.map(a => `  ${a}`).join('\n')}\n`)
      if (created) process.stderr.write(`created a new identity in ${path}\n`)
    })
}
