/**
 * The testbed benchmarks' refusals (they need root and run for minutes, so the suite checks only
 * their lines): a bad flag or a machine without root gives one line on stderr and exit code 2, before
 * any namespace or process is made. "Not root" is shown by a child whose process.getuid() answers
 * 1000, so the test runs the same as root or not.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { ROOT } from '../../helpers/dockerfile.ts'

const RUN = join(ROOT, 'test/bench/run.ts')
const NOT_ROOT = ['--import', 'data:text/javascript,process.getuid = () => 1000']

/** Runs `npm run bench -- <args>` as a child; its exit code and stderr. */
async function bench (args: string[], nodeFlags: string[] = []): Promise<{ code: number | null, stderr: string, stdout: string }> {
  const child = spawn(process.execPath, [...nodeFlags, RUN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  let stdout = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  return { code, stderr, stdout }
}

describe('testbed benchmarks: refusals', () => {
  it('one line and exit 2 for bad flags, a scenario the flags break, and a machine without root', async () => {
    const cases: Array<[string[], string[], string]> = [
      [['testbed-failures', '--scenario', 'crash,nope'], [], 'testbed-failures: --scenario must be a list of crash, partition, restart, freeze (got nope)\n'],
      [['testbed-failures', '--nodes', '0'], [], 'testbed-failures: --nodes must be a positive integer (got 0)\n'],
      [['testbed-failures', '--scenario', 'partition', '--nodes', '3'], [], 'testbed-failures: scenario failures-partition-30.yaml: topology.degree = 4; allowed: an integer below nodes (3) with nodes × degree even\n'],
      [['testbed-failures', '--nodes', '6', '--seconds', '10'], NOT_ROOT, 'testbed-failures: the local testbed needs root (network namespaces, veth, iptables): run it as root\n'],
      [['testbed-discovery', '--latency', 'mars'], [], 'testbed-discovery: --latency must be one of loopback, datacenter, continental, global (got mars)\n'],
      [['testbed-discovery', '--nodes', '10', '--know', '10'], [], 'testbed-discovery: --know must be at most nodes - 1 (9): a node knows the others only (got 10)\n'],
      [['testbed-discovery', '--nodes', '6'], NOT_ROOT, 'testbed-discovery: the local testbed needs root (network namespaces, veth, iptables): run it as root\n']
    ]
    const runs = await Promise.all(cases.map(async ([args, flags]) => bench(args, flags)))
    runs.forEach((r, k) => {
      assert.equal(r.stderr, cases[k]![2], cases[k]![0].join(' '))
      assert.equal(r.code, 2, cases[k]![0].join(' '))
      assert.equal(r.stdout, '')
    })
  })
})
