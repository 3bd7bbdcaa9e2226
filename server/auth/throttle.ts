/**
 * Login throttling: counts failed attempts per key in a sliding window. Kept in memory (one
 * process per deployment); a restart forgets the counts, which only gives an attacker one more
 * window.
 */

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

  /** Records a failed attempt. */
  fail(key: string, now = Date.now()): void {
    const recent = this.recent(key, now)
    recent.push(now)
    // Re-insert so Map order is least-recently-failed first.
    this.failures.delete(key)
    this.failures.set(key, recent)
    if (this.failures.size > MAX_KEYS) this.failures.delete(this.failures.keys().next().value!)
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
