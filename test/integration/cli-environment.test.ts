import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { NODE } from '../helpers/cli.ts'
import { runCli } from '../helpers/cli-process.ts'
import { K8S_OTHER_ENV, K8S_SORCHA_OPS_LINKS, K8S_SORCHA_PEER_LINKS } from '../helpers/k8s-env.ts'
import { probe } from '../helpers/probe-clients.ts'
import { assertInGuide } from '../helpers/troubleshooting.ts'
import { untilRunning } from '../helpers/node-process.ts'

/** A pod's environment: service links of a Service sorcha-peer, one sorcha-ops and the API server's, plus settings. */
const POD_ENV = {
  ...K8S_OTHER_ENV,
  ...K8S_SORCHA_PEER_LINKS,
  ...K8S_SORCHA_OPS_LINKS,
  SORCHA_LISTEN: '/ip4/127.0.0.1/tcp/0',
  SORCHA_GATEWAY_GRPC_PORT: '0',
  SORCHA_GATEWAY_REST_PORT: '0',
  SORCHA_LOG_FORMAT: 'json',
  SORCHA_LOG_LEVEL: 'debug'
}

describe('sorcha-peer start in a Kubernetes pod environment', () => {
  let root: string
  before(async () => { root = await mkdtemp(join(tmpdir(), 'sorcha-k8s-env-')) })
  after(async () => { await rm(root, { recursive: true, force: true }) })

  it('ignores the service-link variables (logged at debug), runs, is ready, and stops on SIGTERM', async () => {
    // --ops-port 0: the pod's SORCHA_OPS_PORT is a service link, so ops.port would be its default 4290.
    const child = spawn(NODE, ['src/cli/bin.js', 'start', '--data-dir', join(root, 'pod'), '--ops-port', '0'], { env: { ...process.env, ...POD_ENV }, stdio: ['ignore', 'pipe', 'pipe'] })
    const { exit, lines, running } = await untilRunning(child)
    try {
      const ignored = lines.filter(l => l.msg === 'ignoring a Kubernetes service-link variable')
      assert.deepEqual(ignored.map(l => l.variable).sort(), Object.keys({ ...K8S_SORCHA_PEER_LINKS, ...K8S_SORCHA_OPS_LINKS }).sort())
      assert.ok(ignored.every(l => l.level === 20), 'at debug')
      assert.equal(ignored.find(l => l.variable === 'SORCHA_OPS_PORT')?.shadows, 'ops.port')
      const ready = await probe(running.ops as string, '/readyz')
      assert.equal(ready.status, 200, JSON.stringify(ready.body))
    } finally {
      child.kill('SIGTERM')
    }
    assert.equal(await exit, 0)
  })

  it('still rejects a misspelt setting among them: exit 2, one line naming the variable', async () => {
    const run = await runCli(['start', '--data-dir', join(root, 'typo')], { env: { ...POD_ENV, SORCHA_LOG_LEVEL: 'info', SORCHA_GATEWAY_GPRC_PORT: '4201' } })
    assert.equal(run.exited, true)
    assert.equal(run.code, 2)
    assert.equal(run.stderr, 'sorcha-peer: invalid configuration: SORCHA_GATEWAY_GPRC_PORT = "4201" (from the environment): unknown environment variable; allowed: SORCHA_CONFIG, a variable listed in docs/configuration.md, or a Kubernetes service link (docs/adr/0005-environment-variables.md)\n')
    assertInGuide('env-unknown-variable', run.stderr)
  })
})
