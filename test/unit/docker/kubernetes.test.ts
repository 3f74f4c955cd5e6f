/**
 * docker/kubernetes/: every manifest is valid against the Kubernetes API schemas (offline, through
 * the kubernetes-models package; unknown fields are refused as the API server refuses them), a broken
 * copy is caught, and the objects fit together and keep the promises docs/deployment.md makes.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { resolveConfig } from '../../../src/config/index.ts'
import { envOf, readDockerfile, ROOT } from '../../helpers/dockerfile.ts'
import { readManifests, validateManifest, type Manifest } from '../../helpers/kubernetes.ts'

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are plain parsed YAML */
const DIR = join(ROOT, 'docker/kubernetes')

describe('Kubernetes manifests', async () => {
  const manifests = await readManifests(DIR)
  const find = (kind: string, name?: string): any => {
    const found = manifests.filter(m => m.doc.kind === kind && (name === undefined || m.doc.metadata.name === name) && !m.file.startsWith('examples/'))
    assert.equal(found.length, 1, `one ${kind} ${name ?? ''}`)
    return found[0]!.doc
  }
  const sts = find('StatefulSet')
  const pod = sts.spec.template.spec
  const node = pod.containers.find((c: any) => c.name === 'node')
  const config = find('ConfigMap').data as Record<string, string>

  it('are all valid against the Kubernetes API schemas, with no unknown field', async () => {
    assert.ok(manifests.length >= 7)
    for (const m of manifests) assert.deepEqual(await validateManifest(m.doc), [], `${m.file}: ${m.doc.kind} ${m.doc.metadata.name}`)
  })

  it('a broken copy fails: unknown field, wrong type, missing required field, unknown kind', async () => {
    const broken = (edit: (doc: any) => void): unknown => { const doc = structuredClone(sts); edit(doc); return doc }
    assert.deepEqual(await validateManifest(broken(d => { d.spec.replicaz = 3 })), ['/spec/replicaz is not a field of StatefulSet (apps/v1)'])
    assert.deepEqual(await validateManifest(broken(d => { d.spec.template.spec.containers[0].readinessProbe.httpGet.paht = '/x' })),
      ['/spec/template/spec/containers/0/readinessProbe/httpGet/paht is not a field of StatefulSet (apps/v1)'])
    assert.deepEqual(await validateManifest(broken(d => { d.spec.replicas = '3' })), ['/spec/replicas must be integer'])
    assert.deepEqual(await validateManifest(broken(d => { delete d.spec.template.spec.containers[0].name })), ['/spec/template/spec/containers/0 must have required property name'])
    assert.deepEqual(await validateManifest(broken(d => { d.spec.podManagementPolicy = 'AllAtOnce' })).then(p => p.length), 1)
    assert.deepEqual(await validateManifest({ ...sts, kind: 'StatefulSets' }), ['/kind unknown kind StatefulSets in apps/v1'])
    assert.deepEqual(await validateManifest({ ...sts, apiVersion: 'apps/v2' }), ['/apiVersion unknown apiVersion apps/v2'])
  })

  it('a StatefulSet with stable identities: a data volume per pod at the image\'s data directory', async () => {
    const [claim] = sts.spec.volumeClaimTemplates
    assert.equal(claim.metadata.name, 'data')
    assert.deepEqual(claim.spec.accessModes, ['ReadWriteOnce'])
    const imageEnv = envOf(await readDockerfile(), Math.max(...(await readDockerfile()).map(i => i.stage)))
    assert.ok(node.volumeMounts.some((v: any) => v.name === 'data' && v.mountPath === imageEnv.SORCHA_DATA_DIR))
    const version = (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version
    for (const c of [...pod.initContainers, ...pod.containers]) assert.equal(c.image, `sorcha-peer:${version}`, c.name)
  })

  it('pod 0 is the bootstrap node, found through the headless Service, which publishes not-ready pods', () => {
    const headless = find('Service', sts.spec.serviceName)
    assert.equal(headless.spec.clusterIP, 'None')
    assert.equal(headless.spec.publishNotReadyAddresses, true)
    assert.equal(config.BOOTSTRAP_HOST, `${sts.metadata.name}-0.${headless.metadata.name}`)
    for (const s of manifests.filter(m => m.doc.kind === 'Service').map(m => m.doc as any)) {
      for (const [k, v] of Object.entries(s.spec.selector)) assert.equal(sts.spec.template.metadata.labels[k], v, s.metadata.name)
    }
  })

  it('only the init container mounts the bootstrap identity; the node reads the peer id it wrote', () => {
    const init = pod.initContainers.find((c: any) => c.name === 'identity')
    assert.deepEqual(init.args, ['prepare'])
    const secretVolume = pod.volumes.find((v: any) => v.secret?.secretName === 'sorcha-peer-bootstrap-identity').name
    const mount = init.volumeMounts.find((m: any) => m.name === secretVolume)
    assert.equal(init.env.find((e: any) => e.name === 'BOOTSTRAP_IDENTITY_FILE').value, `${mount.mountPath}/identity.key`)
    assert.ok(!node.volumeMounts.some((m: any) => m.name === secretVolume))
    const idFile = (c: any): string => c.env.find((e: any) => e.name === 'BOOTSTRAP_PEER_ID_FILE').value
    assert.equal(idFile(init), idFile(node))
    assert.ok(idFile(node).startsWith('/data/'))
  })

  it('sets only SORCHA_ variables the node accepts', () => {
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries(config)) if (k.startsWith('SORCHA_')) env[k] = v
    for (const e of node.env) if (e.name.startsWith('SORCHA_')) env[e.name] = e.value ?? 'secret'
    env.SORCHA_ANNOUNCE = env.SORCHA_ANNOUNCE!.replace('$(POD_NAME)', 'sorcha-peer-1')
    assert.doesNotThrow(() => resolveConfig({ env }))
  })

  it('probes the ops listener: /livez for start-up and liveness, /readyz for readiness', () => {
    const ops = node.ports.find((p: any) => p.name === 'ops')
    assert.equal(String(ops.containerPort), config.SORCHA_OPS_PORT)
    assert.equal(config.SORCHA_OPS_HOST, '0.0.0.0')
    assert.deepEqual(node.startupProbe.httpGet, { path: '/livez', port: 'ops' })
    assert.deepEqual(node.livenessProbe.httpGet, { path: '/livez', port: 'ops' })
    assert.deepEqual(node.readinessProbe.httpGet, { path: '/readyz', port: 'ops' })
  })

  it('runs locked down: no service links, non-root (the image\'s uid), read-only root, no privileges', () => {
    assert.equal(pod.enableServiceLinks, false)
    assert.equal(pod.automountServiceAccountToken, false)
    assert.equal(pod.securityContext.runAsNonRoot, true)
    assert.equal(pod.securityContext.runAsUser, 1000)
    for (const c of [...pod.initContainers, ...pod.containers]) {
      assert.equal(c.securityContext.readOnlyRootFilesystem, true, c.name)
      assert.equal(c.securityContext.allowPrivilegeEscalation, false, c.name)
      assert.deepEqual(c.securityContext.capabilities.drop, ['ALL'], c.name)
      assert.ok(c.resources.requests.cpu !== undefined && c.resources.requests.memory !== undefined && c.resources.limits.memory !== undefined, c.name)
    }
  })

  it('the NetworkPolicy admits p2p from anywhere, the API from labelled clients only, and nobody on ops', () => {
    const policy = find('NetworkPolicy')
    for (const [k, v] of Object.entries(policy.spec.podSelector.matchLabels)) assert.equal(sts.spec.template.metadata.labels[k], v)
    assert.deepEqual(policy.spec.policyTypes, ['Ingress'])
    const open = policy.spec.ingress.filter((r: any) => r.from === undefined)
    assert.deepEqual(open.flatMap((r: any) => r.ports.map((p: any) => p.port)), ['p2p'])
    const api = policy.spec.ingress.filter((r: any) => r.from !== undefined)
    assert.deepEqual(api.flatMap((r: any) => r.ports.map((p: any) => p.port)).sort(), ['grpc', 'rest'])
    for (const rule of api) for (const peer of rule.from) assert.ok(peer.podSelector?.matchLabels !== undefined && peer.ipBlock === undefined && peer.namespaceSelector === undefined)
    assert.ok(!policy.spec.ingress.some((r: any) => r.ports.some((p: any) => p.port === 'ops' || p.port === 4290)))
  })

  it('a PodDisruptionBudget keeps all but one node up', () => {
    const pdb = find('PodDisruptionBudget')
    assert.equal(pdb.spec.maxUnavailable, 1)
    for (const [k, v] of Object.entries(pdb.spec.selector.matchLabels)) assert.equal(sts.spec.template.metadata.labels[k], v)
  })

  it('no metrics scrape annotation yet (issue 17), and the example Secrets match what the pods use', () => {
    const text = JSON.stringify(manifests.map(m => m.doc))
    assert.doesNotMatch(text, /prometheus\.io/)
    const examples = manifests.filter((m: Manifest) => m.file.startsWith('examples/') && m.doc.kind === 'Secret').map(m => m.doc as any)
    const keys = (name: string): string[] => { const s = examples.find(e => e.metadata.name === name); return Object.keys({ ...s?.data, ...s?.stringData }).sort() }
    assert.deepEqual(keys('sorcha-peer-api'), [node.env.find((e: any) => e.name === 'SORCHA_GATEWAY_TOKEN').valueFrom.secretKeyRef.key])
    assert.deepEqual(keys('sorcha-peer-bootstrap-identity'), ['identity.key'])
    assert.deepEqual(keys('sorcha-peer-tls'), ['ca.crt', 'tls.crt', 'tls.key'])
  })
})
