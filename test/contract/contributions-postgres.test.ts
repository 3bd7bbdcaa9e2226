/**
 * The contributions contract on Postgres (127.0.0.1:5432, user postgres, database `test`, trust
 * auth; override with REVIEW_TEST_DATABASE_URL), like review-postgres.test.ts. It always runs:
 * without a reachable database it fails. Each run works in a schema of its own, dropped at the end.
 */
import { openPostgresContributionStore } from '../../server/review/contributions-postgres.js'
import { contributionsContract } from './contributions.contract.js'
import { postgresStores } from './store-runners.js'

contributionsContract('postgres', postgresStores('contributions', (connection) => openPostgresContributionStore(connection)))
