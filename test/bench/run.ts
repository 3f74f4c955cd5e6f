/**
 * Benchmark dispatcher: `npm run bench -- <name> [...args]` runs test/bench/<name>.ts, which reads
 * its arguments from process.argv (after the name) and prints JSON, the summary object as its last line.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const name = process.argv[2]
if (name === undefined || !/^[a-z][a-z0-9-]*$/.test(name)) {
  process.stderr.write('usage: npm run bench -- <name> [...args]\n')
  process.exit(2)
}
const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url))
if (!existsSync(file)) {
  process.stderr.write(`no benchmark named ${name} (expected ${file})\n`)
  process.exit(2)
}
await import(file)
