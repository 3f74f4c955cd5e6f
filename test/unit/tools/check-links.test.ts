/** check-links on temporary trees: a clean tree passes; each kind of broken link is reported on its own line. */
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, describe, it } from 'node:test'
import { runTool } from '../../helpers/tool.ts'

const TOOL = 'src/tools/check-links.ts'
const roots: string[] = []

async function tree (files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'sorcha-links-'))
  roots.push(root)
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true })
    await writeFile(join(root, path), text)
  }
  return root
}

const GOOD = {
  'README.md': [
    '# Project',
    'See [the guide](docs/guide.md), [its setup](docs/guide.md#set-up-the-node-step-1), [below](#usage),',
    '[a folder](docs/), [the web](https://example.org/missing.md) and ![a picture](docs/pic.png "title").',
    '',
    '## Usage',
    'Run `node src/tools/run.ts`; docs/guide.md says more.',
    '[ref]: docs/guide.md'
  ].join('\n'),
  'docs/guide.md': '# Guide\n\n## Set up the node (step 1)\n\nBack to [the readme](../README.md#project).\n',
  'docs/pic.png': '',
  'src/tools/run.ts': '// Reads docs/guide.md (see ./docs/guide.md).\nexport const x = 1\n'
}

describe('check-links', () => {
  after(async () => { for (const r of roots) await rm(r, { recursive: true, force: true }) })

  it('passes on a tree whose links, anchors and path mentions all resolve', async () => {
    const r = await runTool(TOOL, ['--root', await tree(GOOD)])
    assert.equal(r.stderr, '')
    assert.equal(r.code, 0)
  })

  it('reports each broken link, anchor and mention with file, line and reason, and exits 1', async () => {
    const root = await tree({
      ...GOOD,
      'docs/broken.md': [
        '# Broken',
        'A [missing file](missing.md) and [a missing heading](guide.md#no-such-heading).',
        'A [link out of the repository](../../elsewhere.md) and a [missing anchor here](#nowhere).',
        'Prose that names docs/models.md, and the workplace file shared/CONVENTIONS.md.',
        'In code it is ignored as a link: `[x](nothing.md)`.',
        '```',
        '[y](nothing-either.md)',
        '```',
        '[ref]: ./gone/file.md',
        'A [bad escape](%E0%A4%A.md).'
      ].join('\n'),
      'src/tools/run.ts': [
        '/** Limits documented in docs/limits.md. */',
        "export const path = 'docs/in-a-string.md' // strings are not comments: not checked",
        '// engine/parallel.ts is relative to a package, not the root: not checked'
      ].join('\n')
    })
    const r = await runTool(TOOL, ['--root', root])
    assert.equal(r.code, 1)
    assert.deepEqual(r.stderr.trim().split('\n'), [
      'check-links: docs/broken.md:2: missing.md: no such file',
      'check-links: docs/broken.md:2: guide.md#no-such-heading: no heading #no-such-heading in docs/guide.md',
      'check-links: docs/broken.md:3: ../../elsewhere.md: outside the repository',
      'check-links: docs/broken.md:3: #nowhere: no heading #nowhere in docs/broken.md',
      'check-links: docs/broken.md:10: %E0%A4%A.md: not a valid link',
      'check-links: docs/broken.md:9: ./gone/file.md: no such file',
      'check-links: docs/broken.md:4: docs/models.md: no such file',
      'check-links: docs/broken.md:4: shared/CONVENTIONS.md: outside the repository (copy what is needed into docs/)',
      'check-links: src/tools/run.ts:1: docs/limits.md: no such file'
    ])
  })
})
