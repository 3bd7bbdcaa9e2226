/**
 * Login throttling: counts failed attempts per key in a sliding window. Kept in memory (one
 * process per deployment); a restart forgets the counts, which only gives an attacker one more
 * window.
 *
 * An attempt is counted *before* its password is verified (see {@link AttemptLimiter}): scrypt
 * takes tens of milliseconds, and a limiter that counted only after the verification let a
 * burst of concurrent guesses all pass the check before the first failure was recorded.
 */
import { IdentityError } from '../identity/errors.js'

/** Limits for one kind of key. */
export interface ThrottleLimit {
  maxFailures: number
  windowMs: number
}

/**
 * Failures per email+IP (guessing one account), per IP (spraying many accounts), and per email
 * from anywhere (an attacker rotating addresses, or forging X-Forwarded-For behind a proxy).
 */
export const LOGIN_LIMITS = {
  perAccount: { maxFailures: 5, windowMs: 15 * 60 * 1000 },
  perIp: { maxFailures: 50, windowMs: 15 * 60 * 1000 },
  perEmail: { maxFailures: 20, windowMs: 15 * 60 * 1000 }
} satisfies Record<string, ThrottleLimit>

/** Wrong current passwords per account when changing a password (a stolen session guessing). */
export const PASSWORD_CHANGE_LIMIT: ThrottleLimit = { maxFailures: 5, windowMs: 15 * 60 * 1000 }

/** Most keys remembered; the oldest are forgotten first so memory stays bounded. */
const MAX_KEYS = 50_000

/** A sliding-window failure counter. */
export class Throttle {
  private readonly failures = new Map<string, number[]>()

  constructor(private readonly limit: ThrottleLimit) {}

  /** Seconds until `key` may try again, or 0 if it may try now. */
  retryAfter(key: string, now = Date.now()): number {
    const recent = this.recent(key, now)
    if (recent.length < this.limit.maxFailures) return 0
    const oldest = recent[recent.length - this.limit.maxFailures]!
    return Math.max(1, Math.ceil((oldest + this.limit.windowMs - now) / 1000))
  }

  /** Records a failed attempt (or one presumed failed until verified) at `now`. */
  fail(key: string, now = Date.now()): void {
    const recent = this.recent(key, now)
    recent.push(now)
    // Re-insert so Map order is least-recently-failed first.
    this.failures.delete(key)
    this.failures.set(key, recent)
    if (this.failures.size > MAX_KEYS) this.failures.delete(this.failures.keys().next().value!)
  }

  /** Takes back one failure recorded at `at` (the attempt turned out to succeed). */
  unfail(key: string, at: number): void {
    const list = this.failures.get(key)
    const i = list ? list.lastIndexOf(at) : -1
    if (i >= 0) list!.splice(i, 1)
  }

  /** Forgets `key` (after a successful attempt). */
  reset(key: string): void {
    this.failures.delete(key)
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - this.limit.windowMs)
    if (list.length === 0) this.failures.delete(key)
    return list
  }
}

/** An attempt counted by {@link AttemptLimiter.begin}; a failure needs no further call. */
export interface Attempt {
  /** The credential was right: reset the keys named at `begin`, un-count the attempt elsewhere. */
  succeeded(): void
}

/**
 * Several throttles checked and counted together (e.g. per account, per IP, per email).
 *
 * {@link begin} checks every key and counts the attempt as a failure under each in one
 * synchronous step, before anything is awaited. Node runs that step for one request at a time,
 * so attempts on a key are serialised: of N concurrent attempts at most `maxFailures` get past
 * the check, whatever order their verifications finish in. An attempt that turns out right is
 * then taken back ({@link Attempt.succeeded}).
 *
 * @example
 *   const attempt = limiter.begin({ perAccount: `${email}|${ip}`, perIp: ip }, ['perAccount'])
 *   if (!(await verifyPassword(password, hash))) throw invalidCredentials() // stays counted
 *   attempt.succeeded()
 */
export class AttemptLimiter<K extends string> {
  constructor(readonly throttles: Readonly<Record<K, Throttle>>) {}

  /**
   * Counts one attempt under `keys`, or throws `rate_limited` (with the longest wait) without
   * counting it when any key is over its limit. `resetOnSuccess` lists the kinds whose whole
   * history a success wipes; the others only lose this attempt.
   */
  begin(keys: Readonly<Record<K, string>>, resetOnSuccess: readonly K[] = []): Attempt {
    const kinds = Object.keys(keys) as K[]
    const now = Date.now()
    const wait = Math.max(0, ...kinds.map((k) => this.throttles[k].retryAfter(keys[k], now)))
    if (wait > 0) throw new IdentityError('rate_limited', 'too many failed attempts; try again later', wait)
    for (const k of kinds) this.throttles[k].fail(keys[k], now)
    let settled = false
    return {
      succeeded: () => {
        if (settled) return
        settled = true
        for (const k of kinds) {
          if (resetOnSuccess.includes(k)) this.throttles[k].reset(keys[k])
          else this.throttles[k].unfail(keys[k], now)
        }
      }
    }
  }
}
