/**
 * The command line's surface: --version, each command's --help listing only the options it uses
 * (configuration flags grouped by section), the message an older Node.js gets, and which modules a
 * call loads (a call that only talks to the API must not load the node).
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import pkg from '../../package.json' with { type: 'json' }
import { configLeaves } from '../../src/config/index.ts'
import { helpGroupOf } from '../../src/cli/config-flags.ts'
import { cli, NODE } from '../helpers/cli.ts'
import { olderNode } from '../helpers/older-node.ts'

const run = promisify(execFile)

/** How a failed execFile rejects. */
interface Failed { code: number, stdout: string, stderr: string }

/** The long flags in a help text, e.g. ['--json', '--config', ...]. */
const flagsOf = (help: string): string[] => [...help.matchAll(/^ {2}(?:-\w, )?(--[a-z0-9-]+)/gm)].map(m => m[1]!)

/** Help text split into its sections: heading -> the long flags listed under it. */
function sections (help: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  let current: string[] | undefined
  for (const line of help.split('\n')) {
    if (/^\S.*:$/.test(line)) out.set(line, current = [])
    else if (current !== undefined) current.push(...flagsOf(`${line}\n`))
  }
  return out
}

describe('sorcha-peer and sorcha-sim: --version and --help', () => {
  it('--version prints the package version, on both commands', async () => {
    for (const [bin, args] of [['src/cli/bin.js', ['--version']], ['src/cli/bin.js', ['-V']], ['simulations/cli/bin.js', ['--version']]] as const) {
      const { stdout } = await run(NODE, [bin, ...args])
      assert.equal(stdout, `${pkg.version}\n`, `${bin} ${args.join(' ')}`)
    }
  })

  it('id --help lists only what id uses', async () => {
    for (const args of [['id', '--help'], ['help', 'id']]) {
      const result = await cli(args)
      assert.equal(result.code, 0, result.stderr)
      assert.deepEqual(flagsOf(result.stdout).sort(), ['--announce', '--config', '--data-dir', '--help', '--json', '--listen'], args.join(' '))
      assert.deepEqual([...sections(result.stdout).keys()], ['Options:', 'Node options:'])
    }
  })

  it('help <command> knows the commands', async () => {
    const unknown = await cli(['help', 'strat'])
    assert.equal(unknown.code, 2)
    assert.equal(unknown.stdout, '')
    assert.match(unknown.stderr, /^error: unknown command 'strat'\n/)
    const top = await cli(['help'])
    assert.equal(top.code, 0)
    assert.match(top.stdout, /^Usage: sorcha-peer \[options\] \[command\]/)
  })

  it('start --help lists every setting, each under its section heading', async () => {
    const result = await cli(['start', '--help'])
    assert.equal(result.code, 0, result.stderr)
    const groups = sections(result.stdout)
    for (const heading of ['Node options:', 'Gossip options:', 'Gateway (app API) options:', 'NAT options:', 'Logging options:']) assert.ok(groups.has(heading), heading)
    for (const leaf of configLeaves) {
      assert.ok(groups.get(helpGroupOf(leaf))?.includes(leaf.flag), `${leaf.flag} under ${helpGroupOf(leaf)}`)
    }
    assert.deepEqual(groups.get('Options:'), ['--config', '--help'])
  })

  it('peers, nat and the API commands list their own options and no foreign ones', async () => {
    const peers = flagsOf((await cli(['peers', '--help'])).stdout)
    assert.deepEqual(peers.sort(), ['--config', '--data-dir', '--help', '--json', '--limit', '--order', '--register', '--status'])
    const nat = (await cli(['nat', '--help'])).stdout
    assert.deepEqual([...sections(nat).keys()], ['Options:', 'Node options:', 'NAT options:', 'Logging options:'])
    assert.ok(!flagsOf(nat).includes('--gossip-fanout'))
    for (const command of ['status', 'submit', 'watch', 'offline', 'online']) {
      const help = (await cli([command, '--help'])).stdout
      const groups = sections(help)
      assert.deepEqual([...groups.keys()].filter(k => k.endsWith('options:') || k === 'Options:'), ['Options:', 'Node API options:'], command)
      assert.ok(groups.get('Node API options:')?.includes('--grpc'), command)
      assert.ok(!flagsOf(help).includes('--data-dir'), command)
    }
  })

  it('configuration flags still parse (and are still validated) when only some are offered', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sorcha-cli-help-'))
    try {
      const ok = await cli(['id', '--json', '--data-dir', dir, '--listen', '/ip4/127.0.0.1/tcp/4101'])
      assert.equal(ok.code, 0, ok.stderr)
      const foreign = await cli(['id', '--data-dir', dir, '--gossip-fanout', '3'])
      assert.equal(foreign.code, 2)
      assert.match(foreign.stderr, /unknown option '--gossip-fanout'/)
      const bad = await cli(['id', '--data-dir', dir, '--listen', 'nonsense'])
      assert.equal(bad.code, 2)
      assert.match(bad.stderr, /^sorcha-peer: invalid configuration: listen/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('sorcha-peer under an older Node.js, in the repository', () => {
  it('says to use the npm scripts, exit 2, one line', async t => {
    const old = await olderNode()
    if (old === undefined) { t.skip('no Node.js older than 24 at /usr/bin/node'); return }
    for (const [bin, script] of [['src/cli/bin.js', 'npm start, npm run sorcha-peer -- <command>'], ['simulations/cli/bin.js', 'npm run sim -- run <scenario>']] as const) {
      const result: Failed = await run(old.path, [bin, '--version']).then(() => assert.fail('exit 0'), (err: Failed) => err)
      assert.equal(result.code, 2)
      assert.equal(result.stdout, '')
      const name = bin.startsWith('src') ? 'sorcha-peer' : 'sorcha-sim'
      assert.equal(result.stderr, `${name}: Node.js 24 or newer is required, but this is ${old.version}: in this repository run it through npm (${script}), which uses the Node.js 24 in node_modules\n`)
    }
  })
})

describe('what a call loads', () => {
  let dir: string
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'sorcha-cli-modules-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  /** Runs the CLI with the module recorder and returns the URLs of every module it loaded. */
  async function modulesOf (name: string, args: string[]): Promise<string[]> {
    const log = join(dir, `${name}.txt`)
    await run(NODE, ['--import', './test/helpers/record-modules.ts', 'src/cli/bin.js', ...args], { env: { ...process.env, TEST_MODULE_LOG: log } }).catch(() => {})
    return (await readFile(log, 'utf8')).trim().split('\n')
  }

  /** Modules that belong to the node, not to an API client. */
  const NODE_PARTS = /\/node_modules\/(libp2p|@libp2p\/[^/]+|@chainsafe\/[^/]+|level|classic-level|fastify|zod)\/|\/src\/(node|gateway\/grpc|gateway\/rest|storage|gossip|config\/schema)/

  it('status, and status --help, load the client library and nothing of the node', async () => {
    const call = await modulesOf('status', ['status', '--grpc', '127.0.0.1:1', '--rest', 'http://127.0.0.1:1', '--timeout-ms', '500'])
    assert.ok(call.some(u => u.endsWith('/src/client/client.ts')), 'the recorder saw the client')
    assert.ok(call.some(u => u.includes('/node_modules/@grpc/grpc-js/')), 'the recorder saw the packages')
    assert.deepEqual(call.filter(u => NODE_PARTS.test(u)), [])
    const help = await modulesOf('status-help', ['status', '--help'])
    assert.deepEqual(help.filter(u => NODE_PARTS.test(u) || u.endsWith('/src/client/client.ts')), [])
    const offline = await modulesOf('offline', ['offline', '--grpc', '127.0.0.1:1', '--rest', 'http://127.0.0.1:1', '--timeout-ms', '500'])
    assert.ok(offline.some(u => u.endsWith('/src/cli/actions/connectivity.ts')), 'the recorder saw the offline action')
    assert.deepEqual(offline.filter(u => NODE_PARTS.test(u)), [])
  })

  it('id loads what it needs (the check above can see node modules)', async () => {
    const id = await modulesOf('id', ['id', '--data-dir', join(dir, 'id')])
    assert.ok(id.some(u => /\/node_modules\/@libp2p\/peer-id\//.test(u)))
    assert.ok(id.some(u => u.endsWith('/src/config/schema.ts')))
  })
})
