/**
 * Crash campaign benchmark: the campaign of test/integration/crash-campaign.test.ts (child-process
 * nodes, SIGKILL under load, restart, subscribers resuming from their cursors), longer and tunable.
 *
 *   npm run bench -- crash [--iterations 100] [--seed 16] [--max-run-ms 2000] [--concurrency 16] [--json]
 *
 * Prints a progress line per iteration on stderr and the report as the last stdout line. Every
 * `acknowledgedLost`, `missingOnB`, `duplicates`, `missed`, `outOfOrder` and `unexpected` must be 0; `convergeMs`
 * is the time from the last restart until B held every acknowledged transaction.
 */
import { runCampaign } from '../support/crash-campaign.ts'
import { benchArgs, intArg } from './args.ts'

export default async function crash (args: string[]): Promise<void> {
  const flags = benchArgs(args, {
    iterations: { type: 'string', default: '100' },
    seed: { type: 'string', default: '16' },
    'max-run-ms': { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '16' },
    json: { type: 'boolean', default: false }
  })
  const report = await runCampaign({
    iterations: intArg('iterations', flags.iterations),
    seed: intArg('seed', flags.seed),
    maxRunMs: intArg('max-run-ms', flags['max-run-ms']),
    concurrency: Math.max(1, intArg('concurrency', flags.concurrency)),
    log: line => { process.stderr.write(`${line}\n`) }
  })
  if (!flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  process.stdout.write(`${JSON.stringify(report)}\n`)
  const clean = report.acknowledgedLost === 0 && report.acknowledgedNotJournaled === 0 && report.missingOnB === 0 &&
    [report.subscriberA, report.subscriberB].every(s => s.duplicates === 0 && s.missed === 0 && s.outOfOrder === 0 && s.unexpected === 0 && s.errors.length === 0)
  if (!clean) process.exitCode = 1
}
