/**
 * The testbed's local mode end to end (needs root): simulations/testbed/scenarios/smoke-4.yaml, 4 node processes
 * in their own namespaces, links delayed (netem, or here the relay), 6 transactions through the
 * gateways, one SIGKILL and one partition that heals. One run shared by the assertions; then a
 * second run interrupted with SIGINT. Both must leave no namespace, veth or process behind, and a
 * run sweeps what a dead earlier run left.
 */
import assert from 'node:assert/strict'
import { spawn, execFileSync } from 'node:child_process'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Summary } from '../../simulations/report/summary.ts'
import { testbedLeftovers } from '../../simulations/testbed/local/netns.ts'
import { ROOT } from '../helpers/dockerfile.ts'
import { requires } from '../helpers/requires.ts'

const skip = requires({ linux: true, root: true, tools: ['ip', 'iptables'] })
const CLI = join(ROOT, 'simulations/testbed/cli.ts')
const SCENARIO = join(ROOT, 'simulations/testbed/scenarios/smoke-4.yaml')

interface CliRun { code: number | null, stdout: string, stderr: string, pid: number }

/** Runs the testbed CLI; `onStderr` sees its stderr as it comes (and may signal the child). */
async function runCli (args: string[], onStderr?: (text: string, kill: (s: NodeJS.Signals) => void) => void): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); onStderr?.(stderr, s => child.kill(s)) })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  return { code, stdout, stderr, pid: child.pid! }
}

/** Processes whose command line mentions `text`. */
async function processesMentioning (text: string): Promise<number[]> {
  const out: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.includes(text)) out.push(Number(entry))
  }
  return out
}

const runDirOf = (stderr: string): string => /run directory (\S+)/.exec(stderr)?.[1] ?? assert.fail(`no run directory in: ${stderr}`)

describe('testbed: local mode', { skip }, () => {
  let out = ''
  let run: CliRun
  let stale = ''

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'testbed-test-'))
    // What a testbed process that died without cleaning up leaves: a namespace named for its pid.
    const dead = spawn('true')
    await new Promise(resolve => dead.once('exit', resolve))
    stale = `stb-${dead.pid}-n0`
    execFileSync('ip', ['netns', 'add', stale])
    run = await runCli(['run', SCENARIO, '--json', '--out', out])
  })
  after(async () => {
    if (out !== '') await rm(out, { recursive: true, force: true })
    try { execFileSync('ip', ['netns', 'del', stale], { stdio: 'ignore' }) } catch { /* swept */ }
  })

  it('delivers every transaction to every node up at the end, through a SIGKILL and a partition that heals', () => {
    assert.equal(run.code, 0, run.stderr)
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Summary
    assert.equal(summary.mode, 'testbed')
    assert.equal(summary.nodes, 4)
    assert.equal(summary.liveNodesAtEnd, 3, 'one node killed')
    assert.equal(summary.transactions, 6)
    assert.equal(summary.deliveredFraction, 1)
    assert.equal(summary.allReachedFraction, 1)
    assert.equal(summary.duplicateDeliveries, 0)
    assert.ok(summary.latencyMs.p50! >= 5, `at least one link's delay (5-40 ms): ${summary.latencyMs.p50}`)
    assert.ok(summary.bytes > 0)
    assert.equal((summary.traces['links-relay'] ?? 0) + (summary.traces['links-netem'] ?? 0), 1)
    assert.match(run.stderr, /testbed: 4 nodes running \(pids( \d+){4}\), links by (relay|netem)/)
  })

  it('writes the simulator\'s report files', async () => {
    assert.deepEqual(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')), JSON.parse(run.stdout.trim().split('\n').at(-1)!))
    const csv = (await readFile(join(out, 'timeseries.csv'), 'utf8')).split('\n')
    assert.equal(csv[0], 't_ms,coverage,latency_ms_p50,latency_ms_p95,bytes,messages,copies_per_node,heap_used_mb,rss_mb')
    assert.ok(csv.length > 3)
    assert.match(await readFile(join(out, 'coverage.svg'), 'utf8'), /^<svg /)
  })

  it('leaves no namespace, veth, process or run directory behind, and swept a dead run\'s namespace', async () => {
    assert.deepEqual(await testbedLeftovers(run.pid), [])
    const dir = runDirOf(run.stderr)
    assert.deepEqual(await processesMentioning(dir), [])
    assert.equal(existsSync(dir), false)
    assert.ok(!execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(stale), 'the stale namespace was swept')
  })

  it('SIGINT while the nodes start kills them all and removes everything (exit 130)', async () => {
    let sent = false
    const interrupted = await runCli(['run', SCENARIO, '--json', '--out', join(out, 'interrupted')], (text, kill) => {
      if (!sent && text.includes('run directory')) { sent = true; kill('SIGINT') }
    })
    assert.ok(sent, interrupted.stderr)
    assert.equal(interrupted.code, 130, interrupted.stderr)
    assert.match(interrupted.stderr, /testbed: SIGINT: stopping every node and removing the namespaces/)
    assert.deepEqual(await testbedLeftovers(interrupted.pid), [])
    const dir = runDirOf(interrupted.stderr)
    assert.deepEqual(await processesMentioning(dir), [])
    assert.equal(existsSync(dir), false)
  })
})
