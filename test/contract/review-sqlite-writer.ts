/**
 * Child process of review-sqlite.test.ts: appends `count` decisions to one spec in the given
 * SQLite file, with a millisecond between appends, so that two of these race on the same ledger. It prints
 * "ready" once the store is open and starts when a line arrives on stdin.
 * Usage: node --import tsx review-sqlite-writer.ts <file> <specId> <count> <tag>
 */
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { openSqliteReviewStore } from '../../server/review/sqlite.js'
import { DECISION_STATES } from '../../shared/api-review.js'

const [file, specId, count, tag] = process.argv.slice(2) as [string, string, string, string]
const store = openSqliteReviewStore({ file, synchronous: 'NORMAL' })
process.stdout.write('ready\n')
await once(createInterface({ input: process.stdin }), 'line')
for (let i = 0; i < Number(count); i++) {
  // A breath between appends, as a server has between requests: a writer in a tight loop
  // would take the lock back before the other's busy handler wakes up, and never overlap.
  if (i > 0) await new Promise((resolve) => setTimeout(resolve, 1))
  await store.append({ specId, subjectId: `${tag}:${i % 3}`, state: DECISION_STATES[i % DECISION_STATES.length]!, note: null, decidedBy: `acct-${tag}`, role: 'team' })
}
await store.close()
