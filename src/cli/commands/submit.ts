/** `sorcha-peer submit`: submits a transaction (a file, or stdin) to a running node. */
import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { addClientOptions, clientFrom, type ClientFlags } from '../client-options.ts'

async function readStdin (): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Registers the `submit` command. */
export function registerSubmitCommand (program: Command): void {
  addClientOptions(program.command('submit')
    .description('submit a transaction from a file (or - / nothing for stdin) to a running node')
    .argument('[file]', 'payload file; - or absent reads stdin'))
    .requiredOption('--register <id>', 'register id')
    .option('--content-type <type>', 'media type of the payload', 'application/octet-stream')
    .option('--reject-duplicate', 'fail (ALREADY_EXISTS) when the node already has it')
    .option('--json', 'print one JSON object')
    .action(async (file: string | undefined, flags: ClientFlags & { register: string, contentType: string, rejectDuplicate?: boolean, json?: boolean }) => {
      const payload = file === undefined || file === '-' ? await readStdin() : await readFile(file)
      const client = clientFrom(flags)
      try {
        const result = await client.submit({ registerId: flags.register, payload, contentType: flags.contentType, rejectDuplicate: flags.rejectDuplicate === true })
        if (flags.json === true) process.stdout.write(`${JSON.stringify({ ...result, transport: client.protocol() })}\n`)
        else process.stdout.write(`${result.txId}${result.duplicate ? ' (duplicate: already known)' : ''}\n`)
      } finally {
        client.close()
      }
    })
}
