/** The machine's own Node.js, for testing what the launchers say to a Node.js older than 24. */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

/** The Node.js at /usr/bin/node when it is older than 24 (CI's Debian has 20); undefined otherwise. */
export async function olderNode (): Promise<{ path: string, version: string } | undefined> {
  const path = '/usr/bin/node'
  const version = await promisify(execFile)(path, ['--version']).then(r => r.stdout.trim(), () => undefined)
  if (version === undefined || Number(/^v(\d+)/.exec(version)?.[1]) >= 24) return undefined
  return { path, version }
}
