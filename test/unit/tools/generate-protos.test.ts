/**
 * generate-protos --check on a copy of protos/: passes on the committed tree, fails naming the stale
 * files when a schema or a generated file changes, and a regeneration makes it pass again. Runs the real
 * tool (buf from node_modules with the ts-proto plugin), no system protoc.
 */
import assert from 'node:assert/strict'
import { appendFile, cp, mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runTool } from '../../helpers/tool.ts'

const TOOL = 'src/tools/generate-protos.ts'

describe('generate-protos', () => {
  let root = ''
  const check = async (): ReturnType<typeof runTool> => await runTool(TOOL, ['--check', '--root', root])

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sorcha-protos-'))
  })
  after(async () => { await rm(root, { recursive: true, force: true }) })

  /** A fresh copy of the repository's protos/ for each case. */
  const fresh = async (): Promise<void> => {
    await rm(join(root, 'protos'), { recursive: true, force: true })
    await cp('protos', join(root, 'protos'), { recursive: true })
  }

  it('--check passes on the committed protos/gen', async () => {
    await fresh()
    const r = await check()
    assert.equal(r.stderr, '')
    assert.equal(r.code, 0)
  })

  it('--check fails naming the file when a schema changed, and passes after a regeneration', async () => {
    await fresh()
    await appendFile(join(root, 'protos/sorcha/p2p/v1/models.proto'), '\nmessage AddedByTest {\n  string note = 1;\n}\n')
    const r = await check()
    assert.equal(r.code, 1)
    assert.equal(r.stderr, 'protos/gen is stale (sorcha/p2p/v1/models.ts): run npm run generate\n')
    const g = await runTool(TOOL, ['--root', root])
    assert.equal(g.code, 0, g.stderr)
    const again = await check()
    assert.equal(again.code, 0, again.stderr)
  })

  it('--check fails on a hand-edited, a missing or an extra generated file', async () => {
    await fresh()
    await appendFile(join(root, 'protos/gen/sorcha/api/v1/status.ts'), '// edited by hand\n')
    await unlink(join(root, 'protos/gen/sorcha/p2p/v1/direct.ts'))
    await writeFile(join(root, 'protos/gen/sorcha/p2p/v1/extra.ts'), 'export {}\n')
    const r = await check()
    assert.equal(r.code, 1)
    assert.equal(r.stderr, 'protos/gen is stale (sorcha/api/v1/status.ts, sorcha/p2p/v1/direct.ts, sorcha/p2p/v1/extra.ts): run npm run generate\n')
  })

  it('a schema that does not compile fails with buf\'s message and one summary line', async () => {
    await fresh()
    await appendFile(join(root, 'protos/sorcha/api/v1/status.proto'), '\nmessage Broken {\n')
    const r = await check()
    assert.equal(r.code, 1)
    assert.match(r.stderr, /status\.proto:\d+:\d+:/)
    assert.match(r.stderr, /\ngenerate-protos: buf generate failed \(exit \d+\); see its messages above\n$/)
  })

  it('without node_modules it says to run npm ci', async () => {
    await fresh()
    // The tool imports only node: modules, so a copy runs on its own, beside no node_modules.
    await mkdir(join(root, 'src/tools'), { recursive: true })
    await cp(TOOL, join(root, TOOL))
    const r = await runTool(join(root, TOOL), ['--check'])
    assert.equal(r.code, 1)
    assert.equal(r.stderr, 'generate-protos: @bufbuild/buf is not installed in node_modules: run npm ci\n')
  })

  it('a tree without .proto files is an error, not an empty protos/gen', async () => {
    await rm(join(root, 'protos'), { recursive: true, force: true })
    const r = await check()
    assert.equal(r.code, 1)
    assert.equal(r.stderr, `generate-protos: no .proto files under ${join(root, 'protos')}\n`)
  })
})
