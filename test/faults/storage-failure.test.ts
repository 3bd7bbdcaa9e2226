/**
 * A failing DocStore write, on real SQLite: a trigger makes the database abort the transaction
 * at the row holding a "poisoned" edit, after an innocent edit of another client was inserted
 * in the same group commit (like a disk that fills in the middle of a transaction). Real
 * server, real sockets, real providers.
 *
 * - The sender, and everyone in the room, is closed with 4503 (transient): the room is reset
 *   from storage. The sender's editor shows unsaved changes.
 * - Nobody ever receives the update while it is not stored.
 * - Nothing is half-written: the innocent row of the failed transaction is gone too, and a
 *   reload shows exactly the state before the failure.
 * - Other rooms keep working; the sender is refused again while storage still fails.
 * - Once storage recovers, the providers re-send what they kept and everything converges, each
 *   edit stored once.
 */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import Database from 'better-sqlite3'
import { startTestService, createSpec, tempDir } from '../helpers/server.js'
import { connectClient, synced, type TestClient } from '../helpers/clients.js'
import { signInAs } from '../helpers/auth.js'
import { eventually } from '../helpers/eventually.js'
import { GatedDocStore } from '../helpers/gated-store.js'
import { DB_FILE, openSqliteStorage } from '../../server/storage/sqlite.js'
import { AttributionEngine } from '../../server/attribution/index.js'
import { CloseCode, messageAttribution } from '../../shared/protocol.js'
import type { Service } from '../../server/service.js'
import { report } from './knobs.js'

const POISON = 'POISON'

/** Installs the fault: while armed, SQLite aborts any transaction inserting an update that holds POISON. */
function faultSwitch(file: string) {
  const db = new Database(file)
  db.exec(`
    CREATE TABLE test_fault (armed INTEGER NOT NULL);
    INSERT INTO test_fault VALUES (0);
    CREATE TRIGGER test_fault_append BEFORE INSERT ON doc_updates
      WHEN (SELECT armed FROM test_fault) AND instr(NEW.data, CAST('${POISON}' AS BLOB)) > 0
      BEGIN SELECT RAISE(ABORT, 'injected storage fault'); END;`)
  const rows = db.prepare('SELECT data, facts FROM doc_updates WHERE doc = ? ORDER BY seq')
  const snapshot = db.prepare('SELECT data, facts FROM doc_snapshots WHERE doc = ?')
  return {
    arm: (on: boolean) => db.prepare('UPDATE test_fault SET armed = ?').run(on ? 1 : 0),
    /** Every stored byte of `spec` (log rows and snapshot, with their attribution facts), as base64. */
    stored(spec: string): string[] {
      const all = [snapshot.get(spec), ...rows.all(spec)].filter(Boolean) as Array<{ data: Buffer; facts: Buffer | null }>
      return all.map((r) => `${r.data.toString('base64')}/${r.facts?.toString('base64') ?? ''}`)
    },
    /** True if any stored row of `spec` holds `text`. */
    holds: (spec: string, text: string): boolean =>
      [snapshot.get(spec), ...rows.all(spec)].some((r) => r !== undefined && (r as { data: Buffer }).data.includes(Buffer.from(text))),
    close: () => db.close()
  }
}

/** Keeps `client` offline after a 4503, so the test looks at storage before it retries. */
function holdOfflineOn4503(client: TestClient): void {
  client.provider.on('connection-close', (event) => {
    if (event?.code === CloseCode.storageUnavailable) client.provider.shouldConnect = false
  })
}

const text = (c: TestClient): string => c.doc.getText('t').toString()

async function connect(service: Service, spec: string, role: 'team' | 'customer'): Promise<TestClient> {
  const who = await signInAs(service, role, { panelSpecIds: [spec] })
  const client = connectClient(service, spec, { token: who.wsToken(spec) })
  client.provider.messageHandlers[messageAttribution] = () => {}
  await synced(client)
  return client
}

describe('a failing storage write', () => {
  it('tells the sender (4503), broadcasts nothing, writes nothing half, and recovers', async () => {
    const dataDir = tempDir()
    const storage = openSqliteStorage({ file: path.join(dataDir, DB_FILE), commitWindowMs: 5, synchronous: 'FULL', foldFacts: AttributionEngine.fold })
    const docs = new GatedDocStore(storage.docs)
    const service = await startTestService(
      { storage: 'sqlite', dataDir },
      { storage: { docs, specs: storage.specs, identity: storage.identity, close: () => storage.close() } }
    )
    const fault = faultSwitch(path.join(dataDir, DB_FILE))
    try {
      const spec = await createSpec(service)
      const other = await createSpec(service)
      const sender = await connect(service, spec, 'team')
      const witness = await connect(service, spec, 'customer')
      const d = await connect(service, other, 'team')
      const e = await connect(service, other, 'customer')
      sender.doc.getText('t').insert(0, 'Before. ')
      await eventually(() => expect(text(witness)).toBe('Before. '))
      await eventually(() => expect([sender.tracker.current.status, witness.tracker.current.status]).toEqual(['saved', 'saved']))
      const before = fault.stored(spec)

      // Nobody may ever see the poisoned edit while storage does not hold it.
      const seenUnstored: string[] = []
      const watch = (name: string, c: TestClient) =>
        c.doc.on('update', () => {
          if (text(c).includes(POISON) && !fault.holds(spec, POISON)) seenUnstored.push(name)
        })
      watch('witness', witness)
      watch('other room', d)

      // One group commit: the witness's innocent edit first, then the sender's poisoned one.
      fault.arm(true)
      holdOfflineOn4503(sender)
      holdOfflineOn4503(witness)
      docs.hold()
      witness.doc.getText('t').insert(8, 'innocent ')
      await eventually(() => expect(docs.waiting).toBe(1))
      sender.doc.getText('t').insert(0, `${POISON} `)
      await eventually(() => expect(docs.waiting).toBe(2))
      docs.release()

      // Everyone in the room is told to come back; the sender's editor shows unsaved changes.
      const storageClose = { code: CloseCode.storageUnavailable, reason: 'storage unavailable' }
      await eventually(() => expect(sender.closes).toContainEqual(storageClose))
      await eventually(() => expect(witness.closes).toContainEqual(storageClose))
      expect(sender.tracker.current.status).toBe('offline-unsaved')
      expect(witness.tracker.current.status).toBe('offline-unsaved')
      expect(text(witness)).not.toContain(POISON)

      // Nothing half-written: not the poisoned row, not the innocent one before it, no facts.
      expect(fault.stored(spec)).toEqual(before)

      // The other room is untouched and keeps committing while storage refuses the poison.
      d.doc.getText('t').insert(0, 'Other room works. ')
      await eventually(() => expect(text(e)).toBe('Other room works. '))
      await eventually(() => expect(d.tracker.current.status).toBe('saved'))
      expect(d.closes).toEqual([])
      expect(e.closes).toEqual([])
      expect((await fetch(`${service.url}/readyz`)).status).toBe(200)

      // A reload shows the state before the failure, exactly.
      const reader = await connect(service, spec, 'customer')
      watch('reader', reader)
      expect(text(reader)).toBe('Before. ')

      // While storage still fails, the sender's retry (its step 2 carries the edit) is refused
      // again, and the room reset again; the reader reconnects on its own.
      sender.provider.connect()
      await eventually(() => expect(sender.closes.filter((c) => c.code === CloseCode.storageUnavailable)).toHaveLength(2))
      await eventually(() => expect(reader.closes).toContainEqual(storageClose))
      expect(fault.stored(spec)).toEqual(before)

      // Storage recovers: the kept edits are re-sent, stored once, and reach everyone.
      fault.arm(false)
      sender.provider.connect()
      witness.provider.connect()
      const expected = `${POISON} Before. innocent `
      await eventually(() => {
        for (const c of [sender, witness, reader]) {
          expect(text(c)).toBe(expected)
          expect(c.tracker.current.status).toBe('saved')
        }
      }, 20_000)
      expect(seenUnstored).toEqual([])
      const stored = new Y.Doc()
      for (const u of (await service.storage.docs.load(spec)).updates) Y.applyUpdate(stored, u)
      expect(stored.getText('t').toString()).toBe(expected)
      expect(Y.encodeStateVector(stored)).toEqual(Y.encodeStateVector(service.rooms.get(spec)!.doc))
      report('failing storage write', {
        senderCloses: sender.closes.map((c) => c.code),
        witnessCloses: witness.closes.map((c) => c.code),
        readerCloses: reader.closes.map((c) => c.code),
        otherRoomCloses: d.closes.length + e.closes.length
      })
    } finally {
      fault.close()
    }
  })
})
