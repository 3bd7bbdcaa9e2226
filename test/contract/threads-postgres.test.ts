/**
 * The threads contract on Postgres (127.0.0.1:5432, user postgres, database `test`, trust auth;
 * override with REVIEW_TEST_DATABASE_URL), like contributions-postgres.test.ts. It always runs:
 * without a reachable database it fails. Each run works in a schema of its own, dropped at the end.
 */
import { openPostgresThreadStore } from '../../server/review/threads-postgres.js'
import type { ThreadLimits } from '../../server/review/thread-store.js'
import { threadsContract } from './threads.contract.js'
import { postgresStores } from './store-runners.js'

threadsContract('postgres', postgresStores('threads', (connection, limits?: ThreadLimits) => openPostgresThreadStore({ ...connection, ...(limits ? { limits } : {}) })))
