/** The answers contract on SQLite (a file per test, like the specs' valence.db). */
import { openSqliteAnswersStore } from '../../server/review/answers-sqlite.js'
import { answersContract } from './answers.contract.js'
import { sqliteStores } from './store-runners.js'

answersContract('sqlite', sqliteStores('answers', (file) => openSqliteAnswersStore({ file, synchronous: 'FULL' })))
