/**
 * The attack benchmark's attacker (test/bench/attack.ts), in a process of its own: its CPU, event
 * loop, garbage collector and libuv threads are not the honest nodes', as with a real attacker on
 * its own machine, so honest latency measures what the attack costs the target and nothing else.
 *
 * Driven over the fork IPC channel: `{ type: 'attach', addr }` starts a node, attaches to the target
 * at `addr` (test/support/attacker.ts) and answers `{ type: 'attached', peerId }`; `{ type: 'go',
 * attack, until }` runs the attack until the wall-clock time `until` (ms since the epoch) and answers
 * `{ type: 'done' }`; `{ type: 'stop' }` stops the node and exits. It exits too if the parent goes.
 */
import { startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import { Attacker } from '../support/attacker.ts'

const MIB = 1024 * 1024
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** Each attack: what the attacker does, repeatedly, until `until`. */
export const ATTACKS: Record<string, (a: Attacker, until: number) => Promise<void>> = {
  clean: async () => {},
  'announce-flood': async (a, until) => { while (Date.now() < until) { a.announceFakes(20_480, 300); await sleep(1000) } },
  'withhold-small': async (a, until) => { while (Date.now() < until) { a.announceFakes(1000, 300); await sleep(200) } },
  'withhold-huge': async (a, until) => { while (Date.now() < until) { a.announceFakes(4, 60 * MIB); await sleep(2000) } },
  'stream-storm': async (a, until) => { while (Date.now() < until) await a.streamStorm(200, 16) },
  'decompression-bomb': async (a, until) => { while (Date.now() < until) { await a.decompressionBomb(); await sleep(100) } },
  garbage: async (a, until) => { while (Date.now() < until) { a.garbage(5); await sleep(100) } }
}

/** A message from the benchmark to the attacker process. */
export type AttackerCommand = { type: 'attach', addr: string } | { type: 'go', attack: string, until: number } | { type: 'stop' }
/** A message from the attacker process to the benchmark. */
export type AttackerReply = { type: 'attached', peerId: string } | { type: 'done' } | { type: 'error', message: string }

async function main (): Promise<void> {
  let hostile: TestNetwork | undefined
  let attacker: Attacker | undefined
  const reply = (message: AttackerReply): void => { process.send?.(message) }
  process.on('disconnect', () => { process.exit(0) })
  process.on('message', (command: AttackerCommand) => {
    void (async () => {
      if (command.type === 'attach') {
        hostile = await startNetwork({ nodes: 1, bootstrap: 'none', contributions: [] })
        attacker = new Attacker(hostile.nodes[0]!)
        await attacker.attachTo(command.addr)
        reply({ type: 'attached', peerId: attacker.peerId })
      } else if (command.type === 'go') {
        await ATTACKS[command.attack]!(attacker!, command.until)
        reply({ type: 'done' })
      } else {
        await hostile?.stop()
        process.exit(0)
      }
    })().catch((err: unknown) => { reply({ type: 'error', message: String(err) }) })
  })
}

if (import.meta.main) await main()
