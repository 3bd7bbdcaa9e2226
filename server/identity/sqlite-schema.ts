/**
 * The identity tables, opened and migrated by the identity store itself. Their version is kept
 * in `schema_versions` under the name `identity`, apart from the document store's
 * `user_version`, so each store migrates its own tables in the one database file they share.
 *
 * Databases made before the identity store owned its tables got them from the document
 * store's migration 2; identity migration 1 creates the very same tables `IF NOT EXISTS`, so
 * such a database is adopted as version 1 without change (test/contract/sqlite.test.ts).
 */
import type Database from 'better-sqlite3'
import { migrateComponent, openComponentDb, type SqliteFileOptions } from '../sqlite/components.js'
import { SqliteIdentityStore } from './sqlite.js'

type DB = Database.Database

/** Identity schema migrations; entry `i` takes the tables from version `i` to `i + 1`. */
export const IDENTITY_MIGRATIONS: readonly string[] = [
  // 1: what the document store's migration 2 used to create. Secrets are stored only as hashes.
  `CREATE TABLE IF NOT EXISTS participants (
     id TEXT PRIMARY KEY,
     kind TEXT NOT NULL CHECK (kind IN ('account', 'invitee', 'token')),
     display_name TEXT NOT NULL,
     email TEXT,
     created_at TEXT NOT NULL
   );
   CREATE TABLE IF NOT EXISTS accounts (
     participant_id TEXT PRIMARY KEY REFERENCES participants (id),
     email TEXT NOT NULL UNIQUE,
     role TEXT NOT NULL CHECK (role IN ('facilitator', 'team')),
     password_hash TEXT NOT NULL,
     deactivated_at TEXT
   );
   CREATE TABLE IF NOT EXISTS sessions (
     id_hash TEXT PRIMARY KEY,
     participant_id TEXT NOT NULL,
     csrf_token TEXT NOT NULL,
     created_at TEXT NOT NULL,
     expires_at TEXT NOT NULL
   );
   CREATE INDEX IF NOT EXISTS sessions_participant ON sessions (participant_id);
   CREATE TABLE IF NOT EXISTS panels (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     description TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE IF NOT EXISTS panel_specs (
     panel_id TEXT NOT NULL,
     spec_id TEXT NOT NULL,
     PRIMARY KEY (panel_id, spec_id)
   );
   CREATE TABLE IF NOT EXISTS panel_members (
     panel_id TEXT NOT NULL,
     participant_id TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('customer', 'viewer')),
     joined_at TEXT NOT NULL,
     removed_at TEXT,
     PRIMARY KEY (panel_id, participant_id)
   );
   CREATE INDEX IF NOT EXISTS panel_members_participant ON panel_members (participant_id);
   CREATE TABLE IF NOT EXISTS invites (
     id TEXT PRIMARY KEY,
     panel_id TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE,
     role TEXT NOT NULL CHECK (role IN ('customer', 'viewer')),
     created_by TEXT NOT NULL,
     created_at TEXT NOT NULL,
     expires_at TEXT NOT NULL,
     max_uses INTEGER,
     uses INTEGER NOT NULL DEFAULT 0,
     revoked_at TEXT
   );
   CREATE TABLE IF NOT EXISTS member_invites (
     id TEXT PRIMARY KEY,
     token_hash TEXT NOT NULL UNIQUE,
     email TEXT NOT NULL,
     display_name TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('facilitator', 'team')),
     created_by TEXT NOT NULL,
     created_at TEXT NOT NULL,
     expires_at TEXT NOT NULL,
     used_at TEXT
   );
   CREATE TABLE IF NOT EXISTS api_tokens (
     id TEXT PRIMARY KEY REFERENCES participants (id),
     name TEXT NOT NULL,
     role TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE,
     created_by TEXT,
     created_at TEXT NOT NULL,
     last_used_at TEXT,
     revoked_at TEXT
   );
   CREATE TABLE IF NOT EXISTS server_secrets (
     name TEXT PRIMARY KEY,
     value TEXT NOT NULL
   );`,
  // 2: a facilitator's label on an invite link ("Berlin workshop, Tuesday").
  `ALTER TABLE invites ADD COLUMN label TEXT;`,
  // 3: a team link either signs someone up or resets an existing account's password.
  `ALTER TABLE member_invites ADD COLUMN purpose TEXT NOT NULL DEFAULT 'signup' CHECK (purpose IN ('signup', 'reset'));`,
  // 4: an invitee's personal return link (issue 9): only the hash of its token, one per participant.
  `CREATE TABLE IF NOT EXISTS return_links (
     participant_id TEXT PRIMARY KEY REFERENCES participants (id),
     token_hash TEXT NOT NULL UNIQUE,
     created_at TEXT NOT NULL
   );`,
  // 5: merges of two participants of one panel (issue 9, [I17]): history, one row per merged-away id.
  `CREATE TABLE IF NOT EXISTS participant_merges (
     from_id TEXT PRIMARY KEY REFERENCES participants (id),
     id TEXT NOT NULL UNIQUE,
     panel_id TEXT NOT NULL,
     into_id TEXT NOT NULL REFERENCES participants (id),
     merged_by TEXT NOT NULL,
     merged_at TEXT NOT NULL
   );`
]

/** Creates or upgrades the identity tables of `db` to the latest version, in one transaction. */
export function migrateIdentity(db: DB): void {
  migrateComponent(db, { component: 'identity', migrations: IDENTITY_MIGRATIONS })
}

/** Options for {@link openSqliteIdentityStore}. */
export type SqliteIdentityOptions = SqliteFileOptions

/**
 * Opens the identity store on `file` with a connection of its own, creating or migrating the
 * identity tables. Why its own connection: an identity transaction stays open across awaits,
 * and on a connection shared with the document store, document writes made meanwhile would
 * join it (and be rolled back with it).
 */
export function openSqliteIdentityStore(opts: SqliteIdentityOptions): SqliteIdentityStore {
  return new SqliteIdentityStore(openComponentDb(opts, { component: 'identity', migrations: IDENTITY_MIGRATIONS }))
}
