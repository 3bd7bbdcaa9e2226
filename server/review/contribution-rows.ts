/**
 * The stored form of a contribution, shared by the SQLite and Postgres stores: the same table
 * and columns on both (`review_contributions`), panel ids and origins as JSON text (read whole,
 * never queried), and one upsert whose conflict branch leaves participant, panels and creation
 * time as first stored ([K1]).
 */
import type { ContributionRecord } from './contribution-store.js'

/**
 * Contributions schema migrations, the same SQL on SQLite and Postgres; entry `i` takes the
 * tables from version `i` to `i + 1`.
 */
export const CONTRIBUTIONS_MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS review_contributions (
     spec_id TEXT NOT NULL,
     id TEXT NOT NULL,
     participant_id TEXT NOT NULL,
     panel_ids TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     origins TEXT NOT NULL,
     excerpt TEXT NOT NULL,
     chars INTEGER NOT NULL,
     PRIMARY KEY (spec_id, id)
   );
   CREATE INDEX IF NOT EXISTS review_contributions_participant ON review_contributions (spec_id, participant_id);`
]

/** A `review_contributions` row as both drivers return it. */
export interface ContributionRow {
  spec_id: string
  id: string
  participant_id: string
  panel_ids: string
  created_at: string
  updated_at: string
  origins: string
  excerpt: string
  chars: number
}

/** The columns, in the order of {@link contributionValues}. */
export const CONTRIBUTION_COLUMNS = 'spec_id, id, participant_id, panel_ids, created_at, updated_at, origins, excerpt, chars'

/** The [K1] conflict branch of the upsert (after `INSERT … VALUES (…)`). */
export const CONTRIBUTION_ON_CONFLICT = `ON CONFLICT (spec_id, id) DO UPDATE SET updated_at = excluded.updated_at, origins = excluded.origins,
         excerpt = excluded.excerpt, chars = excluded.chars`

/** The parameters of one upsert, in {@link CONTRIBUTION_COLUMNS} order. */
export const contributionValues = (r: ContributionRecord): [string, string, string, string, string, string, string, string, number] => [
  r.specId,
  r.id,
  r.participantId,
  JSON.stringify(r.panelIds),
  r.createdAt,
  r.updatedAt,
  JSON.stringify(r.origins),
  r.excerpt,
  r.chars
]

/** A row back as a record. */
export const toContribution = (r: ContributionRow): ContributionRecord => ({
  specId: r.spec_id,
  id: r.id,
  participantId: r.participant_id,
  panelIds: JSON.parse(r.panel_ids) as string[],
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  origins: JSON.parse(r.origins) as ContributionRecord['origins'],
  excerpt: r.excerpt,
  chars: r.chars
})
