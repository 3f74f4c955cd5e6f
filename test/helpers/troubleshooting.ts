/**
 * The troubleshooting guide's messages, checked where they are produced. docs/troubleshooting.md
 * shows each failure message under a marker:
 *
 *   <!-- message: listen-in-use -->
 *   ```text
 *   sorcha-peer: cannot listen on <address> (listen): address already in use: ...
 *   ```
 *
 * where `<...>` stands for any text (a port, a path). The test that makes a node, the CLI or the
 * image fail that way calls `assertInGuide(id, output)`: some line of the real output must match the
 * guide's template. test/unit/docs/troubleshooting.test.ts checks that every message in the guide is
 * claimed by such a call, so the guide cannot show a message that nothing produces.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The guide, relative to the repository root. */
export const GUIDE_PATH = fileURLToPath(new URL('../../docs/troubleshooting.md', import.meta.url))

const MARKER = /<!-- message: ([a-z0-9-]+) -->\n```text\n([^\n]+)\n```/g

/** The guide's messages by id: the template, one line. */
export function parseGuide (markdown: string): Map<string, string> {
  const messages = new Map<string, string>()
  for (const [, id, template] of markdown.matchAll(MARKER)) {
    if (messages.has(id!)) throw new Error(`message ${id!} appears twice in the guide`)
    messages.set(id!, template!)
  }
  return messages
}

/** A template as an anchored regular expression: literal text, `<...>` matching any text. */
export function templatePattern (template: string): RegExp {
  const parts = template.split(/<[^<>\n]+>/).map(part => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(`^${parts.join('.+?')}$`)
}

let cached: Map<string, string> | undefined

/** Asserts that a line of `output` is the guide's message `id` (its placeholders filled in). */
export function assertInGuide (id: string, output: string): void {
  cached ??= parseGuide(readFileSync(GUIDE_PATH, 'utf8'))
  const template = cached.get(id)
  assert.ok(template !== undefined, `docs/troubleshooting.md has no message ${id}`)
  const pattern = templatePattern(template)
  const lines = output.split('\n')
  assert.ok(lines.some(line => pattern.test(line)), `docs/troubleshooting.md, message ${id}:\n  ${template}\ndoes not match what was produced:\n  ${lines.join('\n  ')}`)
}
