/**
 * The package as a consumer gets it: `npm pack` contents (dist/ built by `npm run build`, the bin)
 * installed under node_modules, where Node does not run TypeScript. The consumer imports the client
 * library by its package export and talks to a live gateway; the installed bin runs a command.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { startMemoryGateway } from '../helpers/memory-gateway.ts'

const run = promisify(execFile)
const ROOT = new URL('../..', import.meta.url).pathname
const NODE = join(ROOT, 'node_modules/.bin/node')

describe('the packaged client library and CLI', () => {
  let consumer: string
  before(async () => {
    await run(NODE, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT })
    consumer = await mkdtemp(join(tmpdir(), 'sorcha-consumer-'))
    const pkg = join(consumer, 'node_modules', 'sorcha-peer')
    await mkdir(join(pkg, 'src', 'cli'), { recursive: true })
    await cp(join(ROOT, 'package.json'), join(pkg, 'package.json'))
    await cp(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true })
    await cp(join(ROOT, 'src/cli/bin.js'), join(pkg, 'src/cli/bin.js'))
    // The package's dependencies, as npm would install them beside it.
    for (const entry of await readdir(join(ROOT, 'node_modules'))) {
      if (entry === '.bin' || entry === '.package-lock.json') continue
      await symlink(join(ROOT, 'node_modules', entry), join(consumer, 'node_modules', entry))
    }
  })
  after(async () => { await rm(consumer, { recursive: true, force: true }) })

  it('imports sorcha-peer/client from node_modules and reads node info through the fallback chain', async () => {
    const { gateway } = await startMemoryGateway()
    try {
      await writeFile(join(consumer, 'app.mjs'), `
        import { SorchaClient } from 'sorcha-peer/client'
        const client = new SorchaClient({ endpoints: { grpc: process.argv[2], rest: process.argv[3] } })
        const info = await client.nodeInfo()
        console.log(JSON.stringify({ peerId: info.peerId }))
        client.close()
      `)
      const { stdout } = await run(NODE, [join(consumer, 'app.mjs'), gateway.grpcAddress, gateway.restUrl], { cwd: consumer })
      const out = JSON.parse(stdout.trim().split('\n').at(-1)!) as { peerId: string }
      assert.match(out.peerId, /^12D3KooW/)
    } finally {
      await gateway.stop()
    }
  })

  it('runs the installed bin from the build', async () => {
    const { stdout } = await run(NODE, [join(consumer, 'node_modules/sorcha-peer/src/cli/bin.js'), 'id', '--json', '--data-dir', join(consumer, 'data')], { cwd: consumer })
    assert.match((JSON.parse(stdout) as { peerId: string }).peerId, /^12D3KooW/)
  })
})
