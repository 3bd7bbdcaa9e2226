/**
 * First run: an empty database must still leave a way in. Either the operator gave
 * ADMIN_EMAIL/ADMIN_PASSWORD (that facilitator is created at startup), or a one-time setup link
 * is printed; whoever opens it creates the first facilitator. The setup token lives only in
 * memory: it is regenerated at each start while no account exists, and dies once one does.
 */
import type { Logger } from '../observability/logger.js'
import { IdentityError } from '../identity/errors.js'
import type { AccountRecord, IdentityStore } from '../identity/identity-store.js'
import { createFirstFacilitator } from '../identity/operations.js'
import { newSecret, safeEqual } from '../identity/secrets.js'
import { hashPassword } from './passwords.js'

/** The first facilitator from the environment. */
export interface AdminSeed {
  email: string
  password: string
  displayName: string
}

/** Setup state of one running server. */
export class FirstRun {
  private token: string | null = null

  constructor(private readonly store: IdentityStore) {}

  /** True while no account exists. */
  async needsSetup(): Promise<boolean> {
    return (await this.store.countAccounts()) === 0
  }

  /**
   * Runs at startup: creates the `admin` facilitator, or logs the setup link (one line), when
   * the database has no account. `baseUrl` is where people reach the server.
   */
  async start(admin: AdminSeed | null, baseUrl: string, log: Logger): Promise<void> {
    if (!(await this.needsSetup())) return
    if (admin) {
      const { email, displayName } = admin
      try {
        const account = await createFirstFacilitator(this.store, { email, displayName, passwordHash: await hashPassword(admin.password) })
        log.info({ email: account.email }, 'first run: created the facilitator from ADMIN_EMAIL')
      } catch (err) {
        // Someone (the admin CLI) created an account while the password was being hashed.
        if (!(err instanceof IdentityError && err.code === 'setup_done')) throw err
      }
      return
    }
    this.token = newSecret()
    const link = `${baseUrl}/setup?token=${this.token}`
    // The link is the way in: with LOG_LEVEL warn/error/fatal it still reaches the console.
    // (`silent` means silent; ADMIN_EMAIL/ADMIN_PASSWORD or the CLI still work then.) The
    // `link` field puts it on a line of its own in a terminal (observability/pretty-log.ts).
    if (log.isLevelEnabled('info')) log.info({ link }, 'first run: open this link to create the first facilitator')
    else if (log.level !== 'silent') process.stderr.write(`first run: create the first facilitator at ${link}\n`)
  }

  /** Creates the first facilitator if `token` is this start's setup token. */
  async complete(token: string, input: { email: string; password: string; displayName: string }): Promise<AccountRecord> {
    if (!(await this.needsSetup())) throw new IdentityError('setup_done', 'this server is already set up; sign in')
    if (this.token === null || !safeEqual(token, this.token)) {
      throw new IdentityError('invalid_setup_token', 'the setup link is not valid; use the one printed at the last start')
    }
    const { email, displayName } = input
    // Two forms racing: both hash, one transaction creates the account, the other finds one
    // and answers setup_done.
    const account = await createFirstFacilitator(this.store, { email, displayName, passwordHash: await hashPassword(input.password) })
    this.token = null
    return account
  }
}
