/**
 * The answers contract on Postgres (127.0.0.1:5432, user postgres, database `test`, trust auth;
 * override with REVIEW_TEST_DATABASE_URL), like contributions-postgres.test.ts. It always runs:
 * without a reachable database it fails. Each run works in a schema of its own, dropped at the end.
 */
import { openPostgresAnswersStore } from '../../server/review/answers-postgres.js'
import { answersContract } from './answers.contract.js'
import { postgresStores } from './store-runners.js'

answersContract('postgres', postgresStores('answers', (connection) => openPostgresAnswersStore(connection)))
