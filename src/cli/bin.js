#!/usr/bin/env node
// Launcher for the sorcha-peer CLI. Plain JavaScript so that an old Node.js gets a clear message
// instead of a syntax error: the sources are TypeScript, run by Node 24's built-in type stripping.
const [major] = process.versions.node.split('.').map(Number)
if (major < 24) {
  process.stderr.write(`sorcha-peer needs Node.js 24 or newer, but this is ${process.version}. Run it through npm (npm start, npm run sorcha-peer -- <command>), which uses the Node.js 24 installed in node_modules.\n`)
  process.exit(2)
}
// In this repository Node runs the TypeScript sources directly; an installed package (Node does not
// strip types under node_modules) runs the build that `npm pack` makes (npm run build -> dist/).
const installed = import.meta.url.includes('/node_modules/')
const { main } = await import(installed ? '../../dist/src/cli/main.js' : './main.ts')
process.exitCode = await main(process.argv)
