/**
 * The driver Job's entry point (rendered by render.ts): runs the shared driver against the
 * StatefulSet's pods through their gateways and prints the report on its log as one line,
 * `testbed-report <base64 of gzipped JSON { files }>`, which `npm run testbed -- run --kubernetes`
 * reads back with kubectl logs (report.ts). Restarts are pod deletions through the Kubernetes API
 * (the StatefulSet starts the pod again); the render refuses every other fault.
 *
 * Usage (in the Job): job.ts /testbed/scenario.json, with SORCHA_GATEWAY_TOKEN and TESTBED_NAMESPACE set.
 */
import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { validateScenario } from '../../scenario/load.ts'
import { driveAndSummarize, type FaultInjector } from '../driver.ts'
import { testbedPlan } from '../plan.ts'
import { GRPC_PORT, NAMES, podHost } from './render.ts'
import { encodeReport } from './report.ts'

const SA = '/var/run/secrets/kubernetes.io/serviceaccount'

/** Deletes a pod at once (grace 0: the process gets SIGKILL), through the API server. */
async function deletePod (namespace: string, name: string): Promise<void> {
  const token = readFileSync(`${SA}/token`, 'utf8').trim()
  await new Promise<void>((resolve, reject) => {
    const req = request({
      host: process.env.KUBERNETES_SERVICE_HOST ?? 'kubernetes.default.svc',
      port: Number(process.env.KUBERNETES_SERVICE_PORT ?? 443),
      method: 'DELETE',
      path: `/api/v1/namespaces/${namespace}/pods/${name}?gracePeriodSeconds=0`,
      headers: { authorization: `Bearer ${token}` },
      ca: readFileSync(`${SA}/ca.crt`)
    }, res => {
      res.resume()
      res.on('end', () => {
        if ((res.statusCode ?? 500) < 300) resolve()
        else reject(new Error(`deleting pod ${name}: HTTP ${res.statusCode}`))
      })
    })
    req.on('error', reject)
    req.end()
  })
}

if (import.meta.main) {
  const namespace = process.env.TESTBED_NAMESPACE ?? 'default'
  const scenario = validateScenario(JSON.parse(readFileSync(process.argv[2]!, 'utf8')), 'scenario.json')
  const plan = testbedPlan(scenario)
  const faults: FaultInjector = {
    apply: async action => {
      if (action.kind === 'kill') for (const i of action.nodes) await deletePod(namespace, `${NAMES.statefulSet}-${i}`)
      // 'start': the StatefulSet starts a deleted pod by itself; the render refuses every other kind.
    }
  }
  const run = await driveAndSummarize(plan, {
    endpoints: Array.from({ length: scenario.nodes }, (_, i) => ({ grpc: `${podHost(namespace, i)}:${GRPC_PORT}` })),
    token: process.env.SORCHA_GATEWAY_TOKEN ?? '',
    faults
  })
  process.stdout.write(`${encodeReport(run)}\n`)
  process.exit(0)
}
