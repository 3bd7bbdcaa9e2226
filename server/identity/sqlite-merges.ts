/**
 * The SQL of participant merges ([I17], server/identity/identity-store.ts) over the identity
 * connection: table `participant_merges` (identity migration 5), one row per participant
 * merged away (its id is the primary key, so a second merge of it fails in the database too).
 * Kept apart from sqlite.ts, which holds the rest of the identity tables' SQL.
 */
import type Database from 'better-sqlite3'
import { checkNewMerge, type MergeRecord, type NewMerge } from './identity-store.js'
import { newIdentityId } from './ids.js'
import { str, type Row } from './sqlite-rows.js'

type DB = Database.Database

const toMerge = (r: Row): MergeRecord => ({
  id: str(r.id),
  panelId: str(r.panel_id),
  fromId: str(r.from_id),
  intoId: str(r.into_id),
  by: str(r.merged_by),
  at: str(r.merged_at)
})

/** Stores a merge; the checks and the insert are one SQL transaction. */
export function insertMerge(db: DB, input: NewMerge): MergeRecord {
  const m: MergeRecord = { id: newIdentityId(), ...input }
  db.transaction(() => {
    const merged = new Set((db.prepare('SELECT from_id FROM participant_merges WHERE from_id IN (?, ?)').all(m.fromId, m.intoId) as Row[]).map((r) => r.from_id))
    checkNewMerge(input, (id) => merged.has(id))
    db.prepare('INSERT INTO participant_merges (from_id, id, panel_id, into_id, merged_by, merged_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      m.fromId, m.id, m.panelId, m.intoId, m.by, m.at
    )
  })()
  return m
}

/** The record that merged `participantId` away, or null. */
export function selectMergeOf(db: DB, participantId: string): MergeRecord | null {
  const r = db.prepare('SELECT * FROM participant_merges WHERE from_id = ?').get(participantId) as Row | undefined
  return r ? toMerge(r) : null
}

/** Every merge, oldest first. */
export function selectMerges(db: DB): MergeRecord[] {
  return (db.prepare('SELECT * FROM participant_merges ORDER BY merged_at, id').all() as Row[]).map(toMerge)
}
