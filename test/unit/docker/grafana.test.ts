/**
 * The Grafana dashboards (docker/grafana/dashboards/*.json) query only metrics a node really exports:
 * every PromQL expression's metric names are checked against the exposition of a node's registry
 * (createNodeMetrics().render(): the sorcha_ families of docs/metrics.md and prom-client's process and
 * Node.js metrics), histograms by their _bucket, _sum and _count series.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { createNodeMetrics } from '../../../src/metrics/index.ts'

const DIR = new URL('../../../docker/grafana/dashboards/', import.meta.url)
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'Inf', 'NaN', 'inf', 'nan'])

/** The metric names a PromQL expression reads (label_values(metric, label): the metric). */
export function metricNames (expr: string): string[] {
  const labelValues = expr.match(/^\s*label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/)
  if (labelValues !== null) return [labelValues[1]!]
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
  const names: string[] = []
  for (const m of s.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const before = s[m.index - 1] ?? ' '
    if (/[0-9.]/.test(before)) continue // part of a number such as 1e3
    const after = s.slice(m.index + m[0].length).trimStart()
    if (after.startsWith('(') || KEYWORDS.has(m[0])) continue
    names.push(m[0])
  }
  return names
}

/** Every expression of a dashboard: its panels' targets and its query variables. */
function expressions (dashboard: { panels: Array<{ title: string, targets?: Array<{ expr: string }> }>, templating?: { list: Array<{ type: string, query?: { query: string } | string }> } }): Array<{ where: string, expr: string }> {
  const out = dashboard.panels.flatMap(p => (p.targets ?? []).map(t => ({ where: p.title, expr: t.expr })))
  for (const v of dashboard.templating?.list ?? []) {
    if (v.type === 'query') out.push({ where: 'variable', expr: typeof v.query === 'string' ? v.query : v.query?.query ?? '' })
  }
  return out
}

async function exported (): Promise<Set<string>> {
  const text = await createNodeMetrics().render()
  const names = new Set<string>()
  for (const line of text.split('\n')) {
    const [hash, type, name, kind] = line.split(' ')
    if (hash !== '#' || type !== 'TYPE' || name === undefined) continue
    names.add(name)
    if (kind === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`)
    if (kind === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${name}${suffix}`)
  }
  return names
}

describe('the Grafana dashboards', () => {
  const files = readdirSync(DIR).filter(f => f.endsWith('.json')).sort()

  it('are the four dashboards, valid JSON, each with a unique uid and unique panel ids', () => {
    assert.deepEqual(files, ['discovery-health.json', 'gateway.json', 'gossip.json', 'node-overview.json'])
    const uids = new Set<string>()
    for (const file of files) {
      const d = JSON.parse(readFileSync(new URL(file, DIR), 'utf8')) as { uid: string, title: string, panels: Array<{ id: number, gridPos: unknown }> }
      assert.ok(!uids.has(d.uid), d.uid)
      uids.add(d.uid)
      assert.match(d.title, /^Sorcha \/ /)
      assert.equal(new Set(d.panels.map(p => p.id)).size, d.panels.length, `${file}: duplicate panel ids`)
      for (const p of d.panels) assert.ok(p.gridPos !== undefined, `${file}: a panel without gridPos`)
    }
  })

  it('finds the metric names in PromQL (and so would catch a wrong one)', () => {
    assert.deepEqual(metricNames('histogram_quantile(0.99, sum by (le, api) (rate(sorcha_gateway_request_duration_seconds_bucket{instance=~"$instance"}[$__rate_interval])))'), ['sorcha_gateway_request_duration_seconds_bucket'])
    assert.deepEqual(metricNames('sum(rate(a_total[5m])) / sum(rate(b_count{x="y"}[5m])) > 1e3'), ['a_total', 'b_count'])
    assert.deepEqual(metricNames('sorcha_nat_info == 1'), ['sorcha_nat_info'])
    assert.deepEqual(metricNames('label_values(sorcha_health_score, instance)'), ['sorcha_health_score'])
  })

  it('query only metrics the node exports', async () => {
    const names = await exported()
    assert.ok(names.has('sorcha_health_score') && names.has('process_cpu_seconds_total'))
    assert.ok(!names.has('sorcha_not_a_metric'))
    for (const file of files) {
      const exprs = expressions(JSON.parse(readFileSync(new URL(file, DIR), 'utf8')))
      assert.ok(exprs.length >= 6, `${file} has ${exprs.length} queries`)
      for (const { where, expr } of exprs) {
        const used = metricNames(expr)
        assert.ok(used.length > 0, `${file} "${where}": no metric in ${expr}`)
        for (const name of used) assert.ok(names.has(name), `${file} "${where}" queries ${name}, which the node does not export: ${expr}`)
      }
    }
  })
})
