/** The shared skip helper (test/helpers/requires.ts): one line naming the Debian packages to install. */
import assert from 'node:assert/strict'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { onPath, requires, type Machine } from '../../helpers/requires.ts'

const machine = (has: string[], isRoot: boolean, platform: NodeJS.Platform = 'linux'): Machine =>
  ({ platform, isRoot, has: c => has.includes(c) })

describe('requires', () => {
  it('is undefined when every tool is there and root is not needed or present', () => {
    assert.equal(requires({ tools: ['turnserver', 'iptables'], root: true }, machine(['turnserver', 'iptables'], true)), undefined)
    assert.equal(requires({ tools: ['chromium'] }, machine(['chromium'], false)), undefined)
    assert.equal(requires({}, machine([], false)), undefined)
  })

  it('names the missing Debian packages once each, in order, with the apt-get line', () => {
    assert.equal(requires({ tools: ['ip', 'ss', 'iptables', 'turnserver'], root: true }, machine(['iptables'], true)),
      'needs iproute2, coturn: apt-get install iproute2 coturn')
    assert.equal(requires({ tools: ['chromium'] }, machine([], false)), 'needs chromium: apt-get install chromium')
    assert.equal(requires({ tools: ['promtool'] }, machine([], false)), 'needs prometheus: apt-get install prometheus')
  })

  it('adds root when it is missing too, or names root alone', () => {
    assert.equal(requires({ tools: ['turnserver', 'iptables'], root: true }, machine([], false)),
      'needs coturn, iptables: apt-get install coturn iptables (and root)')
    assert.equal(requires({ tools: ['turnserver'], root: true }, machine(['turnserver'], false)), 'needs root: run the tests as root')
  })

  it('names Linux first when the test needs it', () => {
    assert.equal(requires({ linux: true, tools: ['ip'], root: true }, machine([], false, 'darwin')), 'needs Linux')
  })

  it('refuses a tool it cannot name a package for (a mistake in the test)', () => {
    assert.throws(() => requires({ tools: ['no-such-tool'] }, machine([], true)), { name: 'UnknownToolError' })
  })

  it('onPath finds executables only, in any PATH directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sorcha-requires-'))
    try {
      await writeFile(join(dir, 'runnable'), '#!/bin/sh\n')
      await chmod(join(dir, 'runnable'), 0o755)
      await writeFile(join(dir, 'plain'), '')
      await chmod(join(dir, 'plain'), 0o644)
      const path = ['/nonexistent', '', dir].join(':')
      assert.equal(onPath('runnable', path), true)
      assert.equal(onPath('missing', path), false)
      assert.equal(onPath('plain', path), false) // no execute bit: not even root may run it
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
