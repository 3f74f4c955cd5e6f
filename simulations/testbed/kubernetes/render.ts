/**
 * The testbed's Kubernetes mode, rendered: a scenario becomes
 *
 * - a StatefulSet `testbed-node` (one pod per node, podManagementPolicy Parallel) whose init container
 *   (NET_ADMIN, root) resolves every other pod through the headless Service and applies the same
 *   per-destination netem classes the local mode uses (links.ts netemCommands), then installs the
 *   pod's pre-generated identity, so that every node's peer id, and with it the bootstrap addresses,
 *   are known before any pod runs;
 * - a headless Service `testbed-nodes` (publishNotReadyAddresses, so pods resolve each other before
 *   they are ready) through which the nodes bootstrap and the driver reaches their gateways;
 * - a driver Job `testbed-driver` that runs the shared driver (../driver.ts, through the gateways)
 *   and prints the report on its log (job.ts), with a ServiceAccount allowed to delete the
 *   StatefulSet's pods (faults.restarts);
 * - ConfigMap and Secrets with the scenario, each node's configuration, the netem scripts, the
 *   gateway token and the identities.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { stringify } from 'yaml'
import pkg from '../../../package.json' with { type: 'json' }
import { IDENTITY_FILE, loadOrCreateIdentity } from '../../../src/node/identity.ts'
import { ScenarioError } from '../../scenario/errors.ts'
import type { Scenario } from '../../scenario/schema.ts'
import { netemCommands, P2P_PORT } from '../local/links.ts'
import { deepMerge } from '../local/nodes.ts'
import { testbedPlan } from '../plan.ts'

/** Names of the rendered objects. */
export const NAMES = { statefulSet: 'testbed-node', service: 'testbed-nodes', job: 'testbed-driver', config: 'testbed', secret: 'testbed-secrets', account: 'testbed-driver' } as const
/** Gateway (gRPC) and ops ports of a node pod. */
export const GRPC_PORT = 4200
const OPS_PORT = 4290
/** Default image of the netem init container: it needs sh, awk, tc (iproute2) and getent or nslookup. */
export const DEFAULT_NETEM_IMAGE = 'nicolaka/netshoot:v0.13'

/** Options of the rendering. */
export interface RenderOptions {
  namespace: string
  image?: string
  driverImage?: string
  netemImage?: string
}

/** The DNS name of node i's pod. */
export function podHost (namespace: string, i: number): string {
  return `${NAMES.statefulSet}-${i}.${NAMES.service}.${namespace}.svc.cluster.local`
}

/** Faults a cluster run cannot inject: a pod the StatefulSet restarts cannot stay down, and the driver has no iptables. */
function checkKubernetes (s: Scenario, namespace: string): void {
  const refuse = (key: string, value: unknown, why: string): never => { throw new ScenarioError(s.name, key, value, `not available in kubernetes mode (${why})`) }
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) throw new ScenarioError(s.name, '--namespace', namespace, 'a Kubernetes namespace name (lowercase letters, digits and -, at most 63)')
  if (s.faults.crashes.length > 0) refuse('faults.crashes', s.faults.crashes, 'the StatefulSet restarts a killed pod; use faults.restarts, or the local testbed')
  if (s.faults.freezes.length > 0) refuse('faults.freezes', s.faults.freezes, 'the driver cannot signal processes in other pods; use the local testbed')
  if (s.faults.partitions.length > 0) refuse('faults.partitions', s.faults.partitions, 'the driver cannot change other pods\' iptables; use the local testbed')
  if (s.faults.offline.length > 0) refuse('faults.offline', s.faults.offline, 'the driver cannot change other pods\' iptables; use the local testbed')
}

/** The init container's script for node i: resolve every other pod, then the netem classes of links.ts, then the identity. */
function netemScript (s: Scenario, namespace: string, i: number, link: ReturnType<typeof testbedPlan>['link']): string {
  const n = s.nodes
  const lines = [
    'set -eu',
    // getent where the image has it, nslookup (busybox or bind) otherwise.
    'lookup () { getent hosts "$1" 2>/dev/null | awk \'{ print $1; exit }\' || true; }',
    'lookup2 () { nslookup "$1" 2>/dev/null | awk \'/^Address:? / && !/#/ { print $NF; exit }\' || true; }',
    'resolve () { for _ in $(seq 1 600); do ip=$(lookup "$1"); [ -n "$ip" ] || ip=$(lookup2 "$1"); if [ -n "$ip" ]; then echo "$ip"; return 0; fi; sleep 1; done; echo "netem: $1 did not resolve within 600 s" >&2; exit 1; }'
  ]
  for (let j = 0; j < n; j++) if (j !== i) lines.push(`IP_${j}=$(resolve ${podHost(namespace, j)})`)
  for (const c of netemCommands(i, n, j => `$IP_${j}`, link)) lines.push(`tc ${c.join(' ')}`)
  lines.push(`install -m 0600 -o 1000 -g 1000 /identities/${NAMES.statefulSet}-${i}.key /data/${IDENTITY_FILE}`)
  return lines.join('\n') + '\n'
}

/** Renders the scenario's objects (validated against the API schemas by test/unit/testbed/kubernetes.test.ts). */
export async function renderManifests (s: Scenario, options: RenderOptions): Promise<Array<Record<string, unknown>>> {
  const plan = testbedPlan(s)
  const { namespace } = options
  checkKubernetes(s, namespace)
  const n = s.nodes
  const image = options.image ?? `sorcha-peer:${pkg.version}`
  const driverImage = options.driverImage ?? `sorcha-peer-testbed:${pkg.version}`
  const netemImage = options.netemImage ?? DEFAULT_NETEM_IMAGE
  // Identities now, so every bootstrap address can name its peer id.
  const keys: Record<string, string> = {}
  const peerIds: string[] = []
  const scratch = await mkdtemp(join(tmpdir(), 'sorcha-testbed-keys-'))
  try {
    for (let i = 0; i < n; i++) {
      const { privateKey, path } = await loadOrCreateIdentity(join(scratch, String(i)))
      peerIds.push(peerIdFromPrivateKey(privateKey).toString())
      keys[`${NAMES.statefulSet}-${i}.key`] = (await readFile(path)).toString('base64')
    }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
  const config: Record<string, string> = { 'scenario.json': JSON.stringify(s) }
  for (let i = 0; i < n; i++) {
    const pod = `${NAMES.statefulSet}-${i}`
    config[`${pod}.json`] = JSON.stringify(deepMerge({
      dataDir: '/data',
      listen: [`/ip4/0.0.0.0/tcp/${P2P_PORT}`],
      bootstrap: plan.adjacency[i]!.map(j => `/dns4/${podHost(namespace, j)}/tcp/${P2P_PORT}/p2p/${peerIds[j]}`),
      connections: { maxPeersPerIpRange: 0 },
      nat: { forceType: 'open-internet' },
      gateway: { grpc: { host: '0.0.0.0', port: GRPC_PORT }, rest: { host: '0.0.0.0' }, rateLimit: { perSecond: 100000, burst: 100000 } },
      ops: { host: '0.0.0.0', port: OPS_PORT },
      log: { level: 'info', format: 'json', statusIntervalMs: 0 }
    }, s.testbed.nodeConfig), null, 2)
    config[`netem-${pod}.sh`] = netemScript(s, namespace, i, plan.link)
  }
  const labels = (component: string): Record<string, string> => ({ 'app.kubernetes.io/name': 'sorcha-testbed', 'app.kubernetes.io/component': component })
  const meta = (name: string, component: string): Record<string, unknown> => ({ name, namespace, labels: labels(component) })
  const tokenEnv = { name: 'SORCHA_GATEWAY_TOKEN', valueFrom: { secretKeyRef: { name: NAMES.secret, key: 'token' } } }
  const podName = { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: labels('namespace') } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(NAMES.config, 'config'), data: config },
    { apiVersion: 'v1', kind: 'Secret', metadata: meta(NAMES.secret, 'config'), type: 'Opaque', data: { token: Buffer.from(randomBytes(24).toString('hex')).toString('base64'), ...keys } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(NAMES.service, 'node'),
      spec: {
        clusterIP: 'None',
        publishNotReadyAddresses: true,
        selector: labels('node'),
        ports: [{ name: 'p2p', port: P2P_PORT, targetPort: P2P_PORT }, { name: 'grpc', port: GRPC_PORT, targetPort: GRPC_PORT }]
      }
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta(NAMES.statefulSet, 'node'),
      spec: {
        serviceName: NAMES.service,
        replicas: n,
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: labels('node') },
        template: {
          metadata: { labels: labels('node') },
          spec: {
            enableServiceLinks: false,
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: 5,
            initContainers: [{
              name: 'netem',
              image: netemImage,
              command: ['sh', `/testbed/netem-$(POD_NAME).sh`],
              env: [podName],
              securityContext: { runAsUser: 0, runAsNonRoot: false, capabilities: { add: ['NET_ADMIN'] } },
              volumeMounts: [{ name: 'testbed', mountPath: '/testbed' }, { name: 'identities', mountPath: '/identities' }, { name: 'data', mountPath: '/data' }]
            }],
            containers: [{
              name: 'node',
              image,
              imagePullPolicy: 'IfNotPresent',
              command: ['node', '/app/src/cli/bin.js'],
              args: ['start', '--config', '/testbed/$(POD_NAME).json'],
              env: [podName, tokenEnv],
              ports: [{ name: 'p2p', containerPort: P2P_PORT }, { name: 'grpc', containerPort: GRPC_PORT }, { name: 'ops', containerPort: OPS_PORT }],
              readinessProbe: { httpGet: { path: '/readyz', port: OPS_PORT }, periodSeconds: 2 },
              securityContext: { runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true, allowPrivilegeEscalation: false },
              volumeMounts: [{ name: 'testbed', mountPath: '/testbed' }, { name: 'data', mountPath: '/data' }]
            }],
            volumes: [
              { name: 'testbed', configMap: { name: NAMES.config } },
              { name: 'identities', secret: { secretName: NAMES.secret } },
              { name: 'data', emptyDir: {} }
            ]
          }
        }
      }
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(NAMES.account, 'driver') },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(NAMES.account, 'driver'),
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'delete'] }]
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(NAMES.account, 'driver'),
      subjects: [{ kind: 'ServiceAccount', name: NAMES.account, namespace }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: NAMES.account }
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta(NAMES.job, 'driver'),
      spec: {
        backoffLimit: 0,
        template: {
          metadata: { labels: labels('driver') },
          spec: {
            restartPolicy: 'Never',
            serviceAccountName: NAMES.account,
            containers: [{
              name: 'driver',
              image: driverImage,
              imagePullPolicy: 'IfNotPresent',
              command: ['node', '/app/simulations/testbed/kubernetes/job.ts', '/testbed/scenario.json'],
              env: [tokenEnv, { name: 'TESTBED_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
              securityContext: { runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true, allowPrivilegeEscalation: false },
              volumeMounts: [{ name: 'testbed', mountPath: '/testbed' }]
            }],
            volumes: [{ name: 'testbed', configMap: { name: NAMES.config, items: [{ key: 'scenario.json', path: 'scenario.json' }] } }]
          }
        }
      }
    }
  ]
}

/** The objects as one multi-document YAML file. */
export function toYaml (objects: Array<Record<string, unknown>>): string {
  return objects.map(o => stringify(o, { lineWidth: 0 })).join('---\n')
}
