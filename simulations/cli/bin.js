#!/usr/bin/env node
// Launcher for the sorcha-sim CLI. Plain JavaScript so that an old Node.js gets a clear message
// instead of a syntax error: the sources are TypeScript, run by Node 24's built-in type stripping.
const [major] = process.versions.node.split('.').map(Number)
if (major < 24) {
  process.stderr.write(`sorcha-sim needs Node.js 24 or newer, but this is ${process.version}. Run it through npm (npm run sim -- run <scenario>), which uses the Node.js 24 installed in node_modules.\n`)
  process.exit(2)
}
const { main } = await import('./main.ts')
process.exitCode = await main(process.argv)
