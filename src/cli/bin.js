#!/usr/bin/env node
// Launcher for the sorcha-peer CLI. Plain JavaScript so that an old Node.js gets a clear message
// instead of a syntax error. In this repository Node runs the TypeScript sources directly (Node 24's
// type stripping); an installed package (Node does not strip types under node_modules) runs the
// build that `npm pack` makes (npm run build -> dist/).
const installed = import.meta.url.includes('/node_modules/')
const [major] = process.versions.node.split('.').map(Number)
if (major < 24) {
  process.stderr.write(installed
    ? `sorcha-peer: Node.js 24 or newer is required, but this is ${process.version}: install Node.js 24 (https://nodejs.org/en/download, or \`nvm install 24\`) and run sorcha-peer with it\n`
    : `sorcha-peer: Node.js 24 or newer is required, but this is ${process.version}: in this repository run it through npm (npm start, npm run sorcha-peer -- <command>), which uses the Node.js 24 in node_modules\n`)
  process.exit(2)
}
// A long-running node (`start`) is re-executed once, in place (same process id: it stays PID 1 in a
// container), with the memory settings below, unless the user set them already: they must be in place
// before Node.js starts. docs/deployment.md, "Memory", says what each buys (docs/benchmarks.md).
const NODE_MEMORY_ENV = { MALLOC_ARENA_MAX: '2' }
const NODE_MEMORY_FLAGS = ['--max-semi-space-size=2']
if (process.argv[2] === 'start' && process.platform !== 'win32' && typeof process.execve === 'function') {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].map(a => a.split('=')[0].replaceAll('_', '-'))
  const flags = NODE_MEMORY_FLAGS.filter(flag => !given.includes(flag.split('=')[0]))
  const env = Object.entries(NODE_MEMORY_ENV).filter(([name]) => process.env[name] === undefined)
  if (flags.length > 0 || env.length > 0) {
    const { fileURLToPath } = await import('node:url')
    process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { ...process.env, ...Object.fromEntries(env) })
  }
}
// Node's compile cache (node:module, enableCompileCache): the modules' V8 code cache and, for the
// TypeScript sources, their type-stripped text, on disk (in $NODE_COMPILE_CACHE, else in the OS temp
// directory's node-compile-cache), checked against each file's content. With it warm, a node started
// from the sources never loads Node's type stripper, a WebAssembly module that stays resident: about
// 18 MiB of RSS (docs/benchmarks.md, "Footprint"). NODE_DISABLE_COMPILE_CACHE=1 turns it off.
if (process.env.NODE_DISABLE_COMPILE_CACHE === undefined) {
  const { enableCompileCache } = await import('node:module')
  enableCompileCache?.()
}
const { main } = await import(installed ? '../../dist/src/cli/main.js' : './main.ts')
process.exitCode = await main(process.argv)
