/**
 * Entry point of an attack worker process (forked by attack.ts with an {@link AttackOrder} as
 * its JSON argument): runs the attack until told to stop, sends the outcome, exits.
 */
import { runAttackWorker, type AttackOrder } from './attackers.js'
import { signIn } from './session.js'

const order = JSON.parse(process.argv[2] ?? '{}') as AttackOrder
runAttackWorker(order, signIn).then(
  (outcome) => process.send?.({ outcome }, () => process.exit(0)),
  // A server the attack overwhelmed may stop answering: that is a result, not a bench failure.
  (err: unknown) => {
    const outcome = { framesSent: 0, bytesSent: 0, closes: {}, error: String(err instanceof Error && err.cause ? `${err.message}: ${String(err.cause)}` : err) }
    process.send?.({ outcome }, () => process.exit(0))
  }
)
