/** Shared parts of the browser tests: Debian's chromium through playwright-core, console watching, waiting. */
import assert from 'node:assert/strict'
import { chromium, type Browser, type Page } from 'playwright-core'

/** Where screenshots go (git-ignored). */
export const ARTIFACTS = 'test-artifacts/dashboard'

/** Debian's chromium, headless (no sandbox: the tests run as root in CI). */
export async function launchChromium (): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage'] })
}

/** Collects the page's console errors and uncaught exceptions. */
export function watchConsole (page: Page): string[] {
  const errors: string[] = []
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()) })
  page.on('pageerror', e => { errors.push(e.message) })
  return errors
}

/** Polls `check` until true (60 s at most). */
export async function eventually (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}
