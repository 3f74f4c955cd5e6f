#!/usr/bin/env node
// Launcher for the sorcha-sim CLI. Plain JavaScript so that an old Node.js gets a clear message
// instead of a syntax error. In this repository Node runs the TypeScript sources directly (Node 24's
// type stripping); an installed package (Node does not strip types under node_modules) runs the
// build that `npm pack` makes (npm run build -> dist/).
const installed = import.meta.url.includes('/node_modules/')
const [major] = process.versions.node.split('.').map(Number)
if (major < 24) {
  process.stderr.write(installed
    ? `sorcha-sim: Node.js 24 or newer is required, but this is ${process.version}: install Node.js 24 (https://nodejs.org/en/download, or \`nvm install 24\`) and run sorcha-sim with it\n`
    : `sorcha-sim: Node.js 24 or newer is required, but this is ${process.version}: in this repository run it through npm (npm run sim -- run <scenario>), which uses the Node.js 24 in node_modules\n`)
  process.exit(2)
}
const { main } = await import(installed ? '../../dist/simulations/cli/main.js' : './main.ts')
process.exitCode = await main(process.argv)
