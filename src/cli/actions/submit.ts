/** `sorcha-peer submit`: submits a transaction (a file, or stdin) to a running node. */
import { readFile } from 'node:fs/promises'
import type { SubmitFlags } from '../commands/api.ts'
import { clientFrom } from './connect.ts'

async function readStdin (): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Submits the payload of `file` (stdin for - or none) and prints its transaction id. */
export async function runSubmit (file: string | undefined, flags: SubmitFlags): Promise<void> {
  const payload = file === undefined || file === '-' ? await readStdin() : await readFile(file)
  const client = clientFrom(flags)
  try {
    const result = await client.submit({ registerId: flags.register, payload, contentType: flags.contentType, rejectDuplicate: flags.rejectDuplicate === true })
    if (flags.json === true) process.stdout.write(`${JSON.stringify({ ...result, transport: client.protocol() })}\n`)
    else process.stdout.write(`${result.txId}${result.duplicate ? ' (duplicate: already known)' : ''}\n`)
  } finally {
    client.close()
  }
}
