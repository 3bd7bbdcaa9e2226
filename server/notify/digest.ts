/**
 * The email digest job: every `DIGEST_INTERVAL_MS` (default one hour), each customer who left
 * an email, has not switched digests off, and has unread answers (server/review/answers.ts)
 * newer than their "mailed up to" watermark gets one short digest listing them, with links
 * back to the specs and an unsubscribe link. The service starts it only when `SMTP_URL` is set.
 *
 * Rules:
 * - [D1] One digest per customer per round at most, covering every spec they can see; only
 *   answers that are unread and after their watermark.
 * - [D2] The watermark moves to the newest answer mailed, only after the SMTP server accepted
 *   the message: a failed send is logged and the same answers are tried again next round.
 * - [D3] A failure for one customer (mail, store) never stops the round for the others, and a
 *   round never throws to the timer.
 * - [D4] Rounds never overlap: `runOnce` during a round waits for that round.
 */
import type { AnswerItem } from '../../shared/api-answers.js'
import type { IdentityStore } from '../identity/identity-store.js'
import type { SpecStore } from '../storage/doc-store.js'
import type { AccessControl } from '../auth/access-control.js'
import type { Logger } from '../observability/logger.js'
import type { AnswersService } from '../review/answers-service.js'
import { digestMail, type DigestSection } from './digest-mail.js'
import { smtpMailer, type Mailer } from './mailer.js'
import type { UnsubscribeTokens } from './unsubscribe-tokens.js'

/** What the job reads and uses. */
export interface DigestDeps {
  identity: IdentityStore
  access: AccessControl
  specs: SpecStore
  answers: AnswersService
  mailer: Mailer
  tokens: UnsubscribeTokens
  /** Origin people use (no trailing slash): links in the mail point there. */
  publicUrl: string
  intervalMs: number
  log: Logger
}

/** What one round did. */
export interface DigestRound {
  /** Digests the SMTP server accepted. */
  sent: number
  /** Customers whose digest failed (tried again next round). */
  failed: number
}

/** The periodic job; see the file header. */
export class DigestJob {
  private timer: ReturnType<typeof setInterval> | null = null
  private round: Promise<DigestRound> | null = null

  constructor(private readonly deps: DigestDeps) {}

  /** Starts the timer (idempotent). The timer does not keep the process alive. */
  start(): void {
    if (this.timer) return
    // runOnce never rejects ([D3]); the catch only satisfies the no-floating-promises rule.
    this.timer = setInterval(() => {
      this.runOnce().catch((err: unknown) => this.deps.log.error({ err }, 'digest: round failed'))
    }, this.deps.intervalMs)
    this.timer.unref()
  }

  /** Stops the timer, waits for a round in progress and closes the mailer. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.round
    this.deps.mailer.close()
  }

  /** Runs one round now ([D4]: or waits for the one in progress). Never rejects ([D3]). */
  runOnce(): Promise<DigestRound> {
    this.round ??= this.runRound().finally(() => {
      this.round = null
    })
    return this.round
  }

  private async runRound(): Promise<DigestRound> {
    const result: DigestRound = { sent: 0, failed: 0 }
    let recipients: string[]
    try {
      recipients = await this.customers()
    } catch (err) {
      this.deps.log.warn({ err }, 'digest: could not list customers')
      return result
    }
    for (const participantId of recipients) {
      try {
        if (await this.digestFor(participantId)) result.sent++
      } catch (err) {
        result.failed++
        this.deps.log.warn({ err, participantId }, 'digest: sending failed; will retry next round')
      }
    }
    return result
  }

  /** Participant ids holding a current customer membership in some panel. */
  private async customers(): Promise<string[]> {
    const ids = new Set<string>()
    for (const panel of await this.deps.identity.listPanels()) {
      for (const m of await this.deps.identity.listMembers(panel.id)) {
        if (m.role === 'customer' && m.removedAt === null) ids.add(m.participantId)
      }
    }
    return [...ids]
  }

  /** Sends `participantId`'s digest if one is due ([D1], [D2]); true if one was sent. */
  private async digestFor(participantId: string): Promise<boolean> {
    const { identity, access, specs, answers } = this.deps
    const participant = await identity.getParticipant(participantId)
    if (!participant?.email) return false
    const digest = await answers.store.digest(participantId)
    if (!digest.enabled) return false
    const principal = await access.principalOf(participantId)
    if (!principal) return false
    const visible = await access.visibleSpecIds(principal)
    const ids = visible === 'all' ? (await specs.list()).map((s) => s.id) : [...visible]
    const after = digest.mailedUpTo === null ? -Infinity : Date.parse(digest.mailedUpTo)
    const sections: DigestSection[] = []
    let newest = ''
    for (const specId of ids.sort()) {
      const spec = await specs.get(specId)
      if (!spec) continue
      const items = (await answers.list(specId, participantId)).items.filter((i: AnswerItem) => i.unread && Date.parse(i.at) > after)
      if (items.length === 0) continue
      sections.push({ specId, title: spec.title, items })
      for (const i of items) if (newest === '' || Date.parse(i.at) > Date.parse(newest)) newest = i.at
    }
    if (sections.length === 0) return false
    const token = this.deps.tokens.issue(participantId)
    const query = `token=${encodeURIComponent(token)}`
    // People open the page and confirm there; mail clients post to the API (RFC 8058 one-click).
    const unsubscribeUrl = `${this.deps.publicUrl}/unsubscribe?${query}`
    const oneClickUrl = `${this.deps.publicUrl}/api/email/unsubscribe?${query}`
    await this.deps.mailer.send(
      digestMail({ email: participant.email, displayName: participant.displayName, publicUrl: this.deps.publicUrl, unsubscribeUrl, oneClickUrl }, sections)
    )
    await answers.store.advanceMailed(participantId, newest)
    return true
  }
}

/** What {@link digestJobFor} needs besides configuration. */
export type DigestParts = Omit<DigestDeps, 'mailer' | 'publicUrl' | 'intervalMs'>

/**
 * The digest job for `config`, started, or null when no SMTP server is configured (then nothing
 * is ever sent). `fallbackUrl` (the address the service listens on) is used for links when
 * `PUBLIC_URL` is not set.
 */
export function digestJobFor(
  config: { smtpUrl: string | null; mailFrom: string; digestIntervalMs: number; publicUrl: string | null },
  fallbackUrl: string,
  parts: DigestParts
): DigestJob | null {
  if (config.smtpUrl === null) return null
  const job = new DigestJob({
    ...parts,
    mailer: smtpMailer(config.smtpUrl, config.mailFrom),
    publicUrl: config.publicUrl ?? fallbackUrl,
    intervalMs: config.digestIntervalMs
  })
  job.start()
  return job
}
