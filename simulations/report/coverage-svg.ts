/**
 * The coverage curve as a self-contained SVG (no scripts, fonts or fetches): the share of
 * (transaction, node) pairs reached against time since publication, from the first-receipt latencies.
 */

/** A point of the curve: ms since publication, coverage 0..1. */
export interface CurvePoint { ms: number, coverage: number }

/** Number of points on the curve. */
export const CURVE_POINTS = 200

/**
 * Coverage over time since publication. `sortedLatencies` ascending; `publisherReceipts` counts
 * publishers (reached at 0 ms); `targets` is the sum over transactions of nodes to reach.
 */
export function coverageCurve (sortedLatencies: ArrayLike<number>, publisherReceipts: number, targets: number): CurvePoint[] {
  const n = sortedLatencies.length
  const maxMs = n === 0 ? 1 : Math.max(sortedLatencies[n - 1]!, 1e-3)
  const points: CurvePoint[] = []
  let idx = 0
  for (let i = 0; i <= CURVE_POINTS; i++) {
    const ms = maxMs * i / CURVE_POINTS
    while (idx < n && sortedLatencies[idx]! <= ms) idx++
    points.push({ ms, coverage: targets === 0 ? 0 : (publisherReceipts + idx) / targets })
  }
  return points
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function niceStep (range: number): number {
  const raw = range / 5
  const mag = 10 ** Math.floor(Math.log10(raw))
  return [1, 2, 5, 10].map(m => m * mag).find(s => s >= raw) ?? raw
}

/** Renders the curve as an SVG document. */
export function coverageSvg (points: readonly CurvePoint[], title: string): string {
  const W = 720
  const H = 420
  const L = 70
  const R = 20
  const T = 40
  const B = 50
  const maxMs = points.length === 0 ? 1 : Math.max(points[points.length - 1]!.ms, 1e-3)
  const x = (ms: number): number => L + (W - L - R) * ms / maxMs
  const y = (c: number): number => H - B - (H - T - B) * c
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.ms).toFixed(1)},${y(p.coverage).toFixed(1)}`).join(' ')
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`
  ]
  for (let c = 0; c <= 1.0001; c += 0.2) {
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${y(c).toFixed(1)}" y2="${y(c).toFixed(1)}" stroke="#ddd"/>`,
      `<text x="${L - 8}" y="${(y(c) + 4).toFixed(1)}" text-anchor="end">${Math.round(c * 100)} %</text>`)
  }
  const step = niceStep(maxMs)
  for (let ms = 0; ms <= maxMs + 1e-9; ms += step) {
    parts.push(`<line x1="${x(ms).toFixed(1)}" x2="${x(ms).toFixed(1)}" y1="${T}" y2="${H - B}" stroke="#eee"/>`,
      `<text x="${x(ms).toFixed(1)}" y="${H - B + 18}" text-anchor="middle">${Number(ms.toPrecision(6))}</text>`)
  }
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="black"/>`,
    `<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="black"/>`,
    `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">ms since publication</text>`,
    `<text x="18" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(T + H - B) / 2})">nodes reached</text>`,
    `<path d="${path}" fill="none" stroke="#1f6feb" stroke-width="2"/>`,
    '</svg>')
  return parts.join('\n') + '\n'
}
