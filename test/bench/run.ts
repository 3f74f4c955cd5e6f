/**
 * Benchmark runner: `npm run bench -- <name> [args]` runs test/bench/<name>.ts, whose default export
 * takes the remaining arguments. Benchmarks print JSON; the last stdout line is the summary object.
 */
const [name, ...args] = process.argv.slice(2)
if (name === undefined || !/^[a-z0-9-]+$/.test(name)) {
  process.stderr.write('usage: npm run bench -- <name> [args]   (name = a file in test/bench without .ts)\n')
  process.exit(2)
}
try {
  const module = await import(`./${name}.ts`) as { default: (args: string[]) => Promise<void> }
  await module.default(args)
} catch (err) {
  if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(`${name}.ts`)) {
    process.stderr.write(`no benchmark named ${name}\n`)
    process.exit(2)
  }
  throw err
}
