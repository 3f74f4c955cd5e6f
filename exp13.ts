import { configureLogging } from '/work/main/src/logging/index.ts'
import { startNetwork } from '/work/main/src/harness/index.ts'
configureLogging({ level: 'debug', format: 'json' })
const boot = await startNetwork({ nodes: 1 })
const net = await startNetwork({ nodes: 99, bootstrap: 'none', startConcurrency: 99, config: { bootstrap: boot.bootstrapAddrs } })
await new Promise(r => setTimeout(r, 12000))
process.exit(0)
