/** A DefaultPeerList on a throwaway LevelDB, for unit tests. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DefaultPeerList, PEERS_SUBLEVEL, type PeerListInit } from '../../src/peers/index.ts'
import { openStorage, type Storage } from '../../src/storage/index.ts'

/** Test rules: small numbers so that transitions happen in a few steps. */
export const TEST_RULES = { failureThreshold: 2, removeAfterFailures: 4, removeAfterUnseenMs: 60_000 }

/** A list plus its database; `reopen()` simulates a restart; `close()` deletes everything. */
export interface ListFixture {
  list: DefaultPeerList
  storage: Storage
  dir: string
  reopen: () => Promise<DefaultPeerList>
  close: () => Promise<void>
}

/** Opens a fresh database in a temp dir and starts a list on it. */
export async function listFixture (selfPeerId: string, over: Partial<PeerListInit> = {}): Promise<ListFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'sorcha-peers-'))
  const make = async (storage: Storage): Promise<DefaultPeerList> => {
    const list = new DefaultPeerList({ db: storage.sublevel(PEERS_SUBLEVEL), selfPeerId, maxKnown: 1000, rules: TEST_RULES, ...over })
    await list.start()
    return list
  }
  const fixture: ListFixture = {
    dir,
    storage: await openStorage(dir),
    list: undefined as unknown as DefaultPeerList,
    reopen: async () => {
      await fixture.list.stop()
      await fixture.storage.close()
      fixture.storage = await openStorage(dir)
      fixture.list = await make(fixture.storage)
      return fixture.list
    },
    close: async () => {
      await fixture.list.stop()
      await fixture.storage.close()
      await rm(dir, { recursive: true, force: true })
    }
  }
  fixture.list = await make(fixture.storage)
  return fixture
}
