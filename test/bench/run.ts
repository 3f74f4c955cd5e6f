/**
 * Benchmark dispatcher: `npm run bench -- <name> [args]` runs test/bench/<name>.ts with the args.
 * Each benchmark prints progress to stderr and, as its last stdout line, one JSON summary object.
 */
import { readdir } from 'node:fs/promises'

const [name, ...args] = process.argv.slice(2)
const here = new URL('.', import.meta.url)
const available = (await readdir(here)).filter(f => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_')).map(f => f.slice(0, -3)).sort()

if (name === undefined || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <name> [args]\nbenchmarks: ${available.join(', ')}\n`)
  process.exit(2)
}
const bench = await import(new URL(`./${name}.ts`, here).href) as { main: (args: string[]) => Promise<void> }
await bench.main(args)
