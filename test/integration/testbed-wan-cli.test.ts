/**
 * `npm run bench -- testbed-wan`'s refusals: each is one line on stderr and exit 2, before any node
 * starts (the campaign itself is a benchmark: docs/performance-report.md). "Not root" is shown by a
 * child whose process.getuid() answers 1000 (as test/unit/bench/testbed-benches.test.ts does), so the
 * test runs the same as root or not, and in a checkout other users cannot read.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { ROOT } from '../helpers/dockerfile.ts'

const BENCH = join(ROOT, 'test/bench/run.ts')

const NOT_ROOT = ['--import', 'data:text/javascript,process.getuid = () => 1000']

function bench (args: string[], notRoot = false): { code: number | null, stderr: string, stdout: string } {
  const r = spawnSync(process.execPath, [...(notRoot ? NOT_ROOT : []), BENCH, 'testbed-wan', ...args], { encoding: 'utf8', cwd: ROOT })
  return { code: r.status, stderr: r.stderr, stdout: r.stdout }
}

function assertOneLine (r: { code: number | null, stderr: string, stdout: string }, line: string): void {
  assert.equal(r.code, 2, r.stderr)
  assert.equal(r.stdout, '')
  assert.deepEqual(r.stderr.trim().split('\n'), [line])
}

describe('testbed-wan bench: refusals', () => {
  it('refuses bad flags with one line', () => {
    assertOneLine(bench(['--nodes', '2']), 'testbed-wan: --nodes must be an integer of at least 3')
    assertOneLine(bench(['--seconds', '0']), 'testbed-wan: --seconds must be a number of at least 1')
    assertOneLine(bench(['--rate', 'fast']), 'testbed-wan: --rate must be a number of at least 0.1')
    assertOneLine(bench(['--sim-only', '--sim-params', '{bad']), 'testbed-wan: --sim-params must be a JSON object of tx-gossip settings')
    assertOneLine(bench(['--strategies', 'floodsub']), 'testbed-wan: --strategies must list sorcha and/or gossipsub, comma-separated (got "floodsub")')
    const unknown = bench(['--bogus'])
    assert.equal(unknown.code, 2)
    assert.match(unknown.stderr, /^testbed-wan: Unknown option '--bogus'/)
  })

  it('names a scenario it cannot use', () => {
    const r = bench(['--scenario', join(ROOT, 'no-such-scenario.yaml')])
    assert.equal(r.code, 2)
    assert.match(r.stderr.trim(), /^testbed-wan: cannot use scenario file .*no-such-scenario\.yaml: ENOENT$/)
    assert.equal(r.stderr.trim().split('\n').length, 1)
  })

  it('needs root: one line and exit 2', { skip: process.platform !== 'linux' ? 'Linux only' : false }, () => {
    assertOneLine(bench(['--nodes', '6', '--seconds', '10'], true),
      'testbed-wan: the local testbed needs root (network namespaces, veth, iptables): run it as root')
  })
})
