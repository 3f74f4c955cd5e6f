/**
 * Benchmark runner: `npm run bench -- <name> [args]` runs test/bench/<name>.ts, whose default export
 * takes the remaining arguments. Benchmarks print JSON; the last stdout line is the summary object.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const [name, ...args] = process.argv.slice(2)
if (name === undefined || !/^[a-z0-9-]+$/.test(name)) {
  process.stderr.write('usage: npm run bench -- <name> [args]   (name = a file in test/bench without .ts)\n')
  process.exit(2)
}
const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url))
if (!existsSync(file)) {
  process.stderr.write(`no benchmark named ${name}\n`)
  process.exit(2)
}
const module = await import(file) as { default: (args: string[]) => Promise<void> }
await module.default(args)
