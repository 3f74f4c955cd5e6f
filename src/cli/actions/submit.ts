/** `sorcha-peer submit`: submits a transaction (a file, or stdin) to a running node. */
import { readFile } from 'node:fs/promises'
import { stateName } from '../../gateway/enum-names.ts'
import type { SubmitFlags } from '../commands/api.ts'
import { clientFrom } from './connect.ts'

async function readStdin (): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/**
 * Submits the payload of `file` (stdin for - or none) and prints its transaction id and state:
 * `<tx id> (queued)` when the node cannot send yet (it is on the node's disk either way),
 * `(announced)` when it went out, `(duplicate: already known; <state>)` for a known one.
 */
export async function runSubmit (file: string | undefined, flags: SubmitFlags): Promise<void> {
  const payload = file === undefined || file === '-' ? await readStdin() : await readFile(file)
  const client = clientFrom(flags)
  try {
    const result = await client.submit({ registerId: flags.register, payload, contentType: flags.contentType, rejectDuplicate: flags.rejectDuplicate === true })
    const state = stateName(result.state)
    if (flags.json === true) process.stdout.write(`${JSON.stringify({ ...result, state: state === '' ? null : state, transport: client.protocol() })}\n`)
    else process.stdout.write(`${result.txId}${submitNote(result.duplicate, state)}\n`)
  } finally {
    client.close()
  }
}

/** What follows the tx id on the text line: the state, and whether it was known already. */
function submitNote (duplicate: boolean, state: string): string {
  if (duplicate) return state === '' ? ' (duplicate: already known)' : ` (duplicate: already known; ${state})`
  return state === '' ? '' : ` (${state})`
}
