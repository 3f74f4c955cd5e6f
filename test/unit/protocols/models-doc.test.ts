import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { MODEL_LIMITS } from '../../../protocols/models/index.ts'

test('docs/models.md lists every model limit with its value', () => {
  const doc = readFileSync('docs/models.md', 'utf8')
  const documented = Object.fromEntries([...doc.matchAll(/^\| `(\w+)` \| (\d+) \|/gm)].map(m => [m[1], Number(m[2])]))
  assert.deepEqual(documented, { ...MODEL_LIMITS })
})
