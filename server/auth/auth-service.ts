/**
 * The identity side of the server, assembled once per service: access decisions, sessions,
 * credential reading, WebSocket tokens, login throttling, first-run setup and access-change
 * events. HTTP routes, the WebSocket upgrade and tests all use this one object.
 */
import type { Logger } from '../observability/logger.js'
import type { IdentityStore } from '../identity/identity-store.js'
import type { SpecStore } from '../storage/doc-store.js'
import { AccessControl } from './access-control.js'
import { AccessEvents } from './access-events.js'
import { Authenticator } from './authenticator.js'
import { FirstRun } from './first-run.js'
import { newSecret } from '../identity/secrets.js'
import { Sessions } from './sessions.js'
import { AttemptLimiter, LOGIN_LIMITS, PASSWORD_CHANGE_LIMIT, Throttle } from './throttle.js'
import { WsTokens } from './ws-tokens.js'
import { ParticipantAliases } from '../identity/aliases.js'

/** Everything identity-related a service holds. */
export interface Auth {
  store: IdentityStore
  specs: SpecStore
  access: AccessControl
  sessions: Sessions
  authenticator: Authenticator
  wsTokens: WsTokens
  events: AccessEvents
  firstRun: FirstRun
  /** Recorded merges: who each merged-away participant is now (server/identity/aliases.ts). */
  aliases: ParticipantAliases
  /** Sign-in attempts per email+IP, per IP and per email (counted before verifying). */
  loginThrottle: AttemptLimiter<'perAccount' | 'perIp' | 'perEmail'>
  /** Password changes with a wrong current password, per account. */
  passwordChangeThrottle: AttemptLimiter<'perAccount'>
  /** Configured public origin (PUBLIC_URL), or null to derive it from each request. */
  publicUrl: string | null
  trustProxy: boolean
  log: Logger
}

/** Options for {@link createAuth}. */
export interface AuthOptions {
  store: IdentityStore
  specs: SpecStore
  log: Logger
  sessionTtlMs: number
  publicUrl: string | null
  trustProxy: boolean
}

/** Builds the identity side; reads (or creates once) the WebSocket token key. */
export async function createAuth(opts: AuthOptions): Promise<Auth> {
  const access = new AccessControl(opts.store)
  const sessions = new Sessions(opts.store, opts.sessionTtlMs)
  const key = await opts.store.secret('ws-token-key', () => newSecret())
  // Expired sessions are useless; drop them at each start so the table does not grow forever.
  await opts.store.deleteExpiredSessions(new Date())
  return {
    store: opts.store,
    specs: opts.specs,
    access,
    sessions,
    authenticator: new Authenticator(opts.store, sessions, access),
    wsTokens: new WsTokens(key),
    events: new AccessEvents(opts.log),
    firstRun: new FirstRun(opts.store),
    aliases: await ParticipantAliases.load(opts.store),
    loginThrottle: new AttemptLimiter({
      perAccount: new Throttle(LOGIN_LIMITS.perAccount),
      perIp: new Throttle(LOGIN_LIMITS.perIp),
      perEmail: new Throttle(LOGIN_LIMITS.perEmail)
    }),
    passwordChangeThrottle: new AttemptLimiter({ perAccount: new Throttle(PASSWORD_CHANGE_LIMIT) }),
    publicUrl: opts.publicUrl,
    trustProxy: opts.trustProxy,
    log: opts.log
  }
}
