/** The removals contract on SQLite (a file per test, like the specs' valence.db). */
import { openSqliteRemovalStore } from '../../server/review/removals-sqlite.js'
import { removalsContract } from './removals.contract.js'
import { sqliteStores } from './store-runners.js'

removalsContract('sqlite', sqliteStores('removals', (file) => openSqliteRemovalStore({ file, synchronous: 'FULL' })))
