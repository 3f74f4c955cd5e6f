/**
 * The testbed's Kubernetes mode, offline: the rendered manifests are valid against the Kubernetes API
 * schemas (as docker/kubernetes/ is, test/helpers/kubernetes.ts), fit together (Service selects the
 * StatefulSet's pods, the Job runs the driver with the scenario), every node configuration is one the
 * node accepts, every bootstrap address names the peer id of the identity its pod installs, the init
 * container applies netem to every other pod, and faults a cluster cannot inject are refused.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { parseAllDocuments } from 'yaml'
import { resolveConfig } from '../../../src/config/index.ts'
import { validateScenario } from '../../../simulations/scenario/load.ts'
import { NAMES, renderManifests, toYaml } from '../../../simulations/testbed/kubernetes/render.ts'
import { decodeReport, encodeReport } from '../../../simulations/testbed/kubernetes/report.ts'
import { testbedPlan } from '../../../simulations/testbed/plan.ts'
import { ROOT } from '../../helpers/dockerfile.ts'
import { validateManifest } from '../../helpers/kubernetes.ts'

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are plain data */
const scenario = validateScenario({
  name: 'k8s-restarts',
  runner: 'testbed',
  nodes: 5,
  durationMs: 20000,
  topology: { kind: 'k-regular', degree: 2 },
  latency: { kind: 'uniform', minMs: 5, maxMs: 100, mode: 'per-link', jitterMs: 4 },
  network: { lossRate: 0.01 },
  workload: { transactions: 10, ratePerSec: 2 },
  faults: { restarts: [{ atMs: 5000, fraction: 0.2, downMs: 2000 }] },
  testbed: { nodeConfig: { gossip: { antiEntropyIntervalMs: 2000 } } }
})

describe('testbed: Kubernetes manifests', async () => {
  const objects = await renderManifests(scenario, { namespace: 'tb-test' })
  // What kubectl would read: the YAML file the command writes.
  const docs = parseAllDocuments(toYaml(objects)).map(d => d.toJS() as any)
  const find = (kind: string): any => { const f = docs.filter(d => d.kind === kind); assert.equal(f.length, 1, kind); return f[0] }
  const sts = find('StatefulSet')
  const pod = sts.spec.template.spec
  const config = find('ConfigMap').data as Record<string, string>
  const secret = find('Secret').data as Record<string, string>

  it('are all valid against the Kubernetes API schemas, with no unknown field, in the namespace asked for', async () => {
    assert.deepEqual(docs.map(d => d.kind).sort(), ['ConfigMap', 'Job', 'Namespace', 'Role', 'RoleBinding', 'Secret', 'Service', 'ServiceAccount', 'StatefulSet'])
    for (const doc of docs) {
      assert.deepEqual(await validateManifest(doc), [], `${doc.kind} ${doc.metadata.name}`)
      if (doc.kind !== 'Namespace') assert.equal(doc.metadata.namespace, 'tb-test')
    }
    const broken = structuredClone(sts)
    broken.spec.template.spec.initContainers[0].securityContext.capabilities.add = 'NET_ADMIN'
    assert.deepEqual(await validateManifest(broken), ['/spec/template/spec/initContainers/0/securityContext/capabilities/add must be array'])
  })

  it('one pod per node behind a headless Service that publishes not-ready pods; the driver Job runs the shared driver', () => {
    assert.equal(sts.spec.replicas, 5)
    assert.equal(sts.spec.podManagementPolicy, 'Parallel')
    const svc = find('Service')
    assert.equal(svc.spec.clusterIP, 'None')
    assert.equal(svc.spec.publishNotReadyAddresses, true)
    assert.equal(sts.spec.serviceName, svc.metadata.name)
    for (const [k, v] of Object.entries(svc.spec.selector)) assert.equal(sts.spec.template.metadata.labels[k], v)
    const job = find('Job')
    const driver = job.spec.template.spec.containers[0]
    assert.ok(existsSync(join(ROOT, driver.command[1].replace('/app/', ''))), driver.command[1])
    assert.equal(validateScenario(JSON.parse(config['scenario.json']!)).nodes, 5)
    assert.equal(job.spec.template.spec.serviceAccountName, find('RoleBinding').subjects[0].name)
    assert.deepEqual(find('Role').rules[0].verbs.sort(), ['delete', 'get', 'list'])
  })

  it('the init container has NET_ADMIN and applies netem to every other pod, with the plan\'s delay, jitter and loss', () => {
    const init = pod.initContainers[0]
    assert.deepEqual(init.securityContext.capabilities.add, ['NET_ADMIN'])
    const plan = testbedPlan(scenario)
    for (let i = 0; i < 5; i++) {
      const script = config[`netem-${NAMES.statefulSet}-${i}.sh`]!
      assert.equal((script.match(/ netem delay /g) ?? []).length, 4, `pod ${i}`)
      for (let j = 0; j < 5; j++) {
        if (j === i) continue
        const l = plan.link(i, j)
        assert.ok(script.includes(`IP_${j}=$(resolve ${NAMES.statefulSet}-${j}.${NAMES.service}.tb-test.svc.cluster.local)`), `pod ${i} resolves ${j}`)
        assert.ok(script.includes(`netem delay ${l.baseMs + 2}ms 2ms loss 1%`), `pod ${i} → ${j}: ${l.baseMs}`)
        assert.ok(script.includes(`match ip dst $IP_${j}/32 flowid 1:${(0x10 + j).toString(16)}`))
      }
    }
  })

  it('every node configuration is valid, and its bootstrap peers are its topology neighbours with the ids of their identities', () => {
    const plan = testbedPlan(scenario)
    const idOf = (i: number): string => peerIdFromPrivateKey(privateKeyFromProtobuf(Buffer.from(secret[`${NAMES.statefulSet}-${i}.key`]!, 'base64'))).toString()
    for (let i = 0; i < 5; i++) {
      const data = JSON.parse(config[`${NAMES.statefulSet}-${i}.json`]!)
      const resolved = resolveConfig({ file: { path: 'k8s', data }, env: { SORCHA_GATEWAY_TOKEN: 'x' } })
      assert.equal(resolved.gossip.antiEntropyIntervalMs, 2000)
      assert.deepEqual(resolved.bootstrap.map((a: string) => a.split('/p2p/')[1]), plan.adjacency[i]!.map(idOf))
    }
  })

  it('refuses faults a cluster run cannot inject, and a bad namespace, with one line naming the key', async () => {
    const withCrash = validateScenario({ ...JSON.parse(JSON.stringify(scenario)), faults: { crashes: [{ atMs: 1000, fraction: 0.2 }] } }, 'crash.yaml')
    await assert.rejects(renderManifests(withCrash, { namespace: 'x' }), {
      name: 'ScenarioError',
      message: 'scenario k8s-restarts: faults.crashes = [{"atMs":1000,"fraction":0.2}]; allowed: not available in kubernetes mode (the StatefulSet restarts a killed pod; use faults.restarts, or the local testbed)'
    })
    await assert.rejects(renderManifests(scenario, { namespace: 'Bad_NS' }), { name: 'ScenarioError', message: /--namespace = "Bad_NS"; allowed: a Kubernetes namespace name/ })
  })

  it('the driver Job\'s report line carries the three report files; a log without one is a clear error', async () => {
    const { runSimulated } = await import('../../../simulations/run.ts')
    const sim = runSimulated(validateScenario({ name: 'line', nodes: 5, durationMs: 2000, topology: { kind: 'full' }, workload: { transactions: 3, ratePerSec: 10 } }))
    const files = decodeReport(`some log\n${encodeReport(sim)}\nmore log\n`)
    assert.deepEqual(Object.keys(files).sort(), ['coverage.svg', 'summary.json', 'timeseries.csv'])
    assert.deepEqual(JSON.parse(files['summary.json']!), sim.summary)
    assert.throws(() => decodeReport('pod started\nboom: the nodes did not mesh\n'), {
      name: 'ReportMissingError',
      message: 'the driver\'s log has no report line (testbed-report): boom: the nodes did not mesh'
    })
  })

  it('the command writes the manifests with --render-only, and wants --namespace with --kubernetes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'testbed-k8s-'))
    try {
      const file = join(dir, 'k8s.json')
      await writeFile(file, JSON.stringify(scenario))
      const cli = (...args: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, [join(ROOT, 'simulations/testbed/cli.ts'), 'run', file, ...args], { encoding: 'utf8' })
      const rendered = cli('--kubernetes', '--namespace', 'tb-cli', '--render-only', '--out', join(dir, 'out'))
      assert.equal(rendered.status, 0, String(rendered.stderr))
      assert.equal(rendered.stderr, `testbed: manifests in ${join(dir, 'out', 'manifests.yaml')}\n`)
      const written = parseAllDocuments(await readFile(join(dir, 'out', 'manifests.yaml'), 'utf8')).map(d => d.toJS() as any)
      assert.equal(written.find(d => d.kind === 'StatefulSet').metadata.namespace, 'tb-cli')
      const noNamespace = cli('--kubernetes')
      assert.equal(noNamespace.status, 2)
      assert.equal(noNamespace.stderr, 'testbed: --kubernetes needs --namespace <name>\n')
      const noKubectl = spawnSync(process.execPath, [join(ROOT, 'simulations/testbed/cli.ts'), 'run', file, '--kubernetes', '--namespace', 'tb-cli', '--out', join(dir, 'out2')], { encoding: 'utf8', env: { ...process.env, PATH: dir } })
      assert.equal(noKubectl.status, 1)
      assert.equal(String(noKubectl.stderr).split('\n').at(-2), 'testbed: kubectl not found: install it, or use --render-only and apply <out>/manifests.yaml yourself')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
