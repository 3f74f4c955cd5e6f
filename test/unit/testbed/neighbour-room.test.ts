/**
 * The testbed raises the kernel's neighbour (ARP) table limits for its node count (netns.ts,
 * ensureNeighbourRoom): checked on a directory standing in for /proc/sys/net/ipv4/neigh/default.
 */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { it } from 'node:test'
import { ensureNeighbourRoom } from '../../../simulations/testbed/local/netns.ts'
import { tempDir } from '../../helpers/temp-dir.ts'

it('raises gc_thresh3 to (nodes + 1)² + 1024 and gc_thresh2 to half, never lowers them', async () => {
  const dir = tempDir('sorcha-neigh-')
  const read = (f: string): number => Number(readFileSync(join(dir, f), 'utf8'))
  writeFileSync(join(dir, 'gc_thresh3'), '1024\n')
  writeFileSync(join(dir, 'gc_thresh2'), '512\n')
  await ensureNeighbourRoom(10, dir)
  assert.equal(read('gc_thresh3'), 1024 + 121)
  assert.equal(read('gc_thresh2'), Math.ceil((1024 + 121) / 2))
  await ensureNeighbourRoom(50, dir)
  assert.equal(read('gc_thresh3'), 51 * 51 + 1024)
  await ensureNeighbourRoom(3, dir)
  assert.equal(read('gc_thresh3'), 51 * 51 + 1024, 'a smaller run leaves the larger limit')
  writeFileSync(join(dir, 'gc_thresh3'), '100000\n')
  await ensureNeighbourRoom(50, dir)
  assert.equal(read('gc_thresh3'), 100000, 'a higher limit set by the machine stays')
  await assert.rejects(ensureNeighbourRoom(5, join(dir, 'missing')), { code: 'ENOENT' })
})
