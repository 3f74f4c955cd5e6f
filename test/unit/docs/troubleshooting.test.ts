/**
 * The troubleshooting guide shows only messages that the code really produces: every message in
 * docs/troubleshooting.md is claimed by a test that makes the failure happen and checks its output
 * against the guide (assertInGuide), and every such claim names a message the guide has.
 */
import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { assertInGuide, GUIDE_PATH, parseGuide, templatePattern } from '../../helpers/troubleshooting.ts'

const TEST_ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** Every .ts file under test/, with its text. */
async function testSources (dir = TEST_ROOT): Promise<Array<{ path: string, text: string }>> {
  const entries = await readdir(dir, { withFileTypes: true })
  const nested = await Promise.all(entries.map(async e => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return await testSources(path)
    return e.name.endsWith('.ts') ? [{ path, text: await readFile(path, 'utf8') }] : []
  }))
  return nested.flat()
}

describe('docs/troubleshooting.md', () => {
  it('every message in the guide is checked by the test that produces it, and every check names a message of the guide', async () => {
    const guide = parseGuide(await readFile(GUIDE_PATH, 'utf8'))
    assert.ok(guide.size >= 20, `the guide has ${guide.size} messages`)
    const claimed = new Set<string>()
    for (const { path, text } of await testSources()) {
      if (path.endsWith('troubleshooting.test.ts')) continue
      for (const [, id] of text.matchAll(/assertInGuide\('([a-z0-9-]+)'/g)) {
        assert.ok(guide.has(id!), `${path} checks message ${id!}, which the guide does not have`)
        claimed.add(id!)
      }
    }
    assert.deepEqual([...guide.keys()].filter(id => !claimed.has(id)), [], 'messages in the guide that no test produces')
  })

  it('reads each marked block, and refuses a message id used twice', () => {
    const text = '<!-- message: a -->\n```text\nsorcha-peer: one <x> two\n```\n\n<!-- message: b -->\n```text\nthree\n```\n'
    assert.deepEqual([...parseGuide(text)], [['a', 'sorcha-peer: one <x> two'], ['b', 'three']])
    assert.throws(() => parseGuide(text + text.slice(0, text.indexOf('\n\n'))), /appears twice/)
  })

  it('a template matches a whole line, with <...> standing for any text and everything else literal', () => {
    const pattern = templatePattern('cannot listen on <address> (listen): in use (see <file>.md)')
    assert.ok(pattern.test('cannot listen on /ip4/127.0.0.1/tcp/80 (listen): in use (see docs/x.md)'))
    assert.ok(!pattern.test('cannot listen on  (listen): in use (see docs/x.md)'), 'a placeholder stands for some text')
    assert.ok(!pattern.test('cannot listen on a (listen): in use (see docs/xamd)'), '. is literal')
    assert.ok(!pattern.test('sorcha-peer: cannot listen on a (listen): in use (see b.md)'), 'anchored at the start')
    assert.ok(!pattern.test('cannot listen on a (listen): in use (see b.md) again'), 'anchored at the end')
  })

  it('assertInGuide fails on output that is not the message, naming the message', () => {
    assert.throws(() => { assertInGuide('client-refused', 'sorcha-peer: something else') }, /message client-refused/)
    assert.throws(() => { assertInGuide('no-such-message', 'x') }, /has no message no-such-message/)
  })
})
