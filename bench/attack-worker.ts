/**
 * Entry point of an attack worker process (forked by attack.ts with an {@link AttackOrder} as
 * its JSON argument): runs the attack until told to stop, sends the outcome, exits.
 */
import { runAttackWorker, type AttackOrder } from './attackers.js'
import { signIn } from './session.js'

const order = JSON.parse(process.argv[2] ?? '{}') as AttackOrder
runAttackWorker(order, signIn).then(
  (outcome) => process.send?.({ outcome }, () => process.exit(0)),
  (err: unknown) => {
    console.error('attack worker failed:', err)
    process.exit(1)
  }
)
