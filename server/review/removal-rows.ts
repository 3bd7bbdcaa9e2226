/**
 * The stored form of a removal, shared by the SQLite and Postgres stores: the same table and
 * columns on both (`review_removals`), origins and pieces as JSON text (read whole, never
 * queried), and the migration that creates them. Status transitions ([M5]) are one conditional
 * UPDATE on both: `... WHERE spec_id = ? AND id = ? AND status IN (...)`, so of concurrent
 * transitions out of one status exactly one changes a row.
 */
import type { Role } from '../../shared/permissions.js'
import type { RemovalRecord } from './removal-store.js'

/** The table, the same DDL on SQLite and Postgres (TEXT and INTEGER only). */
export const REMOVALS_MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS review_removals (
     spec_id TEXT NOT NULL,
     id TEXT NOT NULL,
     contribution_id TEXT,
     text TEXT NOT NULL,
     author_id TEXT NOT NULL,
     author_role TEXT NOT NULL,
     removed_by TEXT NOT NULL,
     removed_by_role TEXT NOT NULL,
     removed_at TEXT NOT NULL,
     origins TEXT NOT NULL,
     pieces TEXT NOT NULL,
     status TEXT NOT NULL,
     restored_by TEXT,
     restored_by_role TEXT,
     restored_at TEXT,
     PRIMARY KEY (spec_id, id)
   );
   CREATE INDEX IF NOT EXISTS review_removals_author ON review_removals (spec_id, author_id);`
]

/** A `review_removals` row as both drivers return it. */
export interface RemovalRow {
  spec_id: string
  id: string
  contribution_id: string | null
  text: string
  author_id: string
  author_role: string
  removed_by: string
  removed_by_role: string
  removed_at: string
  origins: string
  pieces: string
  status: string
  restored_by: string | null
  restored_by_role: string | null
  restored_at: string | null
}

/** The columns, in the order of {@link removalValues}. */
export const REMOVAL_COLUMNS =
  'spec_id, id, contribution_id, text, author_id, author_role, removed_by, removed_by_role, removed_at, origins, pieces, status, restored_by, restored_by_role, restored_at'

/** The parameters of one insert, in {@link REMOVAL_COLUMNS} order. */
export const removalValues = (r: RemovalRecord): Array<string | null> => [
  r.specId,
  r.id,
  r.contributionId,
  r.text,
  r.authorId,
  r.authorRole,
  r.removedBy,
  r.removedByRole,
  r.removedAt,
  JSON.stringify(r.origins),
  JSON.stringify(r.pieces),
  r.status,
  r.restoredBy,
  r.restoredByRole,
  r.restoredAt
]

/** A row back as a record. */
export const toRemoval = (r: RemovalRow): RemovalRecord => ({
  specId: r.spec_id,
  id: r.id,
  contributionId: r.contribution_id,
  text: r.text,
  authorId: r.author_id,
  authorRole: r.author_role as Role,
  removedBy: r.removed_by,
  removedByRole: r.removed_by_role as Role,
  removedAt: r.removed_at,
  origins: JSON.parse(r.origins) as RemovalRecord['origins'],
  pieces: JSON.parse(r.pieces) as RemovalRecord['pieces'],
  status: r.status as RemovalRecord['status'],
  restoredBy: r.restored_by,
  restoredByRole: r.restored_by_role as Role | null,
  restoredAt: r.restored_at
})
