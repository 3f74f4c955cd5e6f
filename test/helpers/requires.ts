/**
 * Tests that need more than Node.js and npm (root, coturn, iptables, Chromium, promtool, ...) skip with
 * one line saying what to install, so `npm ci && npm test` passes on a machine with only Node.js and npm
 * while CI (`.ci/run`, which installs the extras as root) runs them all. Use it as the skip reason:
 *
 *   const missing = requires({ tools: ['turnserver', 'iptables'], root: true })
 *   it('...', { skip: missing }, async () => { ... })
 *   // skipped: "needs coturn, iptables: apt-get install coturn iptables (and root)"
 *
 * Future tests: browser tests `requires({ tools: ['chromium'] })` (Debian's chromium, driven by
 * puppeteer-core or playwright-core with its executablePath: nothing downloads a browser), metrics rule
 * checks `requires({ tools: ['promtool'] })`. A tool not in DEBIAN_PACKAGES needs an entry there.
 */
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

/** The Debian package that provides each command a test may need. */
export const DEBIAN_PACKAGES: Readonly<Record<string, string>> = Object.freeze({
  turnserver: 'coturn',
  ip: 'iproute2',
  ss: 'iproute2',
  iptables: 'iptables',
  chromium: 'chromium',
  promtool: 'prometheus',
  prometheus: 'prometheus',
  strace: 'strace'
})

/** What a test needs from the machine beyond Node.js and npm. */
export interface Needs {
  /** Commands that must be on PATH (each must have an entry in DEBIAN_PACKAGES). */
  tools?: string[]
  /** The test must run as root (network namespaces, iptables). */
  root?: boolean
  /** The test needs Linux (network namespaces). */
  linux?: boolean
}

/** The machine facts requires() reads; tests of this helper pass their own. */
export interface Machine {
  platform: NodeJS.Platform
  isRoot: boolean
  has: (command: string) => boolean
}

/** True if `command` is an executable file in a directory of PATH. */
export function onPath (command: string, path = process.env.PATH ?? ''): boolean {
  return path.split(delimiter).some(dir => {
    if (dir === '') return false
    try {
      accessSync(join(dir, command), constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

/** requires() was asked about a command it cannot name a Debian package for (a mistake in the test). */
export class UnknownToolError extends Error {
  override name = 'UnknownToolError'
}

const HERE: Machine = {
  platform: process.platform,
  isRoot: process.getuid?.() === 0,
  has: command => onPath(command)
}

/**
 * Undefined when this machine has everything `needs` lists; otherwise the one-line reason to skip,
 * naming the Debian packages to install: `needs coturn, iptables: apt-get install coturn iptables (and root)`,
 * `needs root: run the tests as root`, `needs Linux`.
 */
export function requires (needs: Needs, machine: Machine = HERE): string | undefined {
  if (needs.linux === true && machine.platform !== 'linux') return 'needs Linux'
  const packages = [...new Set((needs.tools ?? []).filter(tool => !machine.has(tool)).map(tool => {
    const pkg = DEBIAN_PACKAGES[tool]
    if (pkg === undefined) throw new UnknownToolError(`requires(): no Debian package known for "${tool}"; add it to DEBIAN_PACKAGES`)
    return pkg
  }))]
  const noRoot = needs.root === true && !machine.isRoot
  if (packages.length === 0) return noRoot ? 'needs root: run the tests as root' : undefined
  return `needs ${packages.join(', ')}: apt-get install ${packages.join(' ')}${noRoot ? ' (and root)' : ''}`
}
