/**
 * Email digests against an in-process SMTP server (`smtp-server`, port 0): a decision on a
 * customer's idea sends them one digest with the note, a link back to the spec and a working
 * unsubscribe link; answers are mailed once (watermark); a refused send is retried next round;
 * opted-out customers, customers without an email and answers already seen get nothing; without
 * SMTP_URL nothing is sent and nothing breaks. Rounds run through `digest.runOnce()`, no timers.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { SMTPServer } from 'smtp-server'
import type { AddressInfo } from 'node:net'
import type { ContributionRecord } from '../../server/review/contribution-store.js'
import type { Service } from '../../server/service.js'
import { signInAs, type SignedIn } from '../helpers/auth.js'
import { createSpec, startTestService } from '../helpers/server.js'

interface Received {
  to: string[]
  /** Headers and bodies, quoted-printable decoded. */
  text: string
}

/** An SMTP server collecting what it is sent; `refuse` makes it reject messages. */
async function startSmtp(): Promise<{ url: string; messages: Received[]; connections: () => number; refuse: (on: boolean) => void; close: () => Promise<void> }> {
  const messages: Received[] = []
  let refusing = false
  let connections = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, cb) {
      connections++
      cb()
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        if (refusing) return cb(new Error('mailbox unavailable'))
        messages.push({ to: session.envelope.rcptTo.map((r) => r.address), text: decodeQp(Buffer.concat(chunks).toString('latin1')) })
        cb()
      })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as AddressInfo).port
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    connections: () => connections,
    refuse: (on) => (refusing = on),
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/** Quoted-printable soft breaks and escapes undone (enough to read what nodemailer wrote). */
function decodeQp(raw: string): string {
  const bytes = Buffer.from(raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1')
  return bytes.toString('utf8')
}

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

let nextClient = 500
/** Seeds one contribution of `who` (what the room's contributions feed would record). */
async function seedIdea(service: Service, spec: string, who: SignedIn, excerpt: string): Promise<string> {
  const client = nextClient++
  const now = new Date().toISOString()
  const record: ContributionRecord = {
    specId: spec,
    id: `c${client}-0`,
    participantId: who.principal.participantId,
    panelIds: [who.panelId!],
    createdAt: now,
    updatedAt: now,
    origins: [{ client, clock: 0, len: excerpt.length }],
    excerpt,
    chars: excerpt.length
  }
  await service.contributions.save([record])
  return record.id
}

async function customerWithEmail(service: Service, spec: string, email: string | null, displayName: string): Promise<SignedIn> {
  const who = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName })
  if (email) await service.storage.identity.updateParticipant(who.principal.participantId, { email })
  return who
}

const decide = async (team: SignedIn, spec: string, subjectId: string, state: string, note?: string): Promise<void> => {
  const res = await team.fetch(`/api/specs/${spec}/decisions`, { method: 'POST', body: { subjectId, state, ...(note ? { note } : {}) } })
  expect(res.status).toBe(201)
}

const linkIn = (text: string, pattern: RegExp): string => {
  const m = pattern.exec(text)
  expect(m, `no ${String(pattern)} in the mail`).not.toBeNull()
  return m![0]
}

describe('email digests', () => {
  it('a decision on an idea sends one digest with the note, a link back and a working unsubscribe link', async () => {
    const smtp = await startSmtp()
    closers.push(smtp.close)
    const service = await startTestService({ smtpUrl: smtp.url, mailFrom: 'Valence <valence@test.example>' })
    const spec = await createSpec(service, 'Roadmap 2027')
    const carla = await customerWithEmail(service, spec, 'carla@example.com', 'Carla')
    const team = await signInAs(service, 'team', { displayName: 'Tess' })
    const idea = await seedIdea(service, spec, carla, 'Offline mode')
    const digest = service.digest!
    expect(await digest.runOnce()).toEqual({ sent: 0, failed: 0 })

    await decide(team, spec, idea, 'accepted', 'We will build this in Q3 – thanks!')
    expect(await digest.runOnce()).toEqual({ sent: 1, failed: 0 })
    expect(smtp.messages).toHaveLength(1)
    const mail = smtp.messages[0]!
    expect(mail.to).toEqual(['carla@example.com'])
    expect(mail.text).toContain('From: Valence <valence@test.example>')
    expect(mail.text).toContain('Subject: A new answer to your ideas')
    expect(mail.text).toContain('Decision by Tess')
    expect(mail.text).toContain('Accepted: We will build this in Q3 – thanks!')
    expect(mail.text).toContain('Roadmap 2027')
    expect(linkIn(mail.text, new RegExp(`${service.url}/specs/[A-Za-z0-9_-]+`))).toBe(`${service.url}/specs/${spec}`)
    expect(mail.text).toMatch(/Content-Type: text\/html/)

    // Mailed once: the next round has nothing new.
    expect(await digest.runOnce()).toEqual({ sent: 0, failed: 0 })
    // A later answer is mailed alone.
    await decide(team, spec, idea, 'planned')
    expect(await digest.runOnce()).toEqual({ sent: 1, failed: 0 })
    expect(smtp.messages[1]!.text).toContain('Planned')
    expect(smtp.messages[1]!.text).not.toContain('We will build this')

    // The mail links to the unsubscribe page; opening it (as a mail scanner does) changes nothing.
    const unsubscribe = linkIn(mail.text, /(?<=To stop these emails, open: )http:\/\/[^\s"<>]+\/unsubscribe\?token=[A-Za-z0-9._%-]+/)
    expect(new URL(unsubscribe).pathname).toBe('/unsubscribe')
    expect((await fetch(unsubscribe)).status).toBe(200)
    // So does the API's GET (links of earlier digests): it only sends them on to the page.
    const token = new URL(unsubscribe).searchParams.get('token')!
    const old = await fetch(`${service.url}/api/email/unsubscribe?token=${encodeURIComponent(token)}`, { redirect: 'manual' })
    expect([old.status, old.headers.get('location')]).toEqual([303, `/unsubscribe?token=${encodeURIComponent(token)}`])
    expect((await (await carla.fetch('/api/me/email-digest')).json()) as unknown).toEqual({ enabled: true })
    // A mail client's one-click button (RFC 8058) posts the form to the URL of List-Unsubscribe.
    const header = /^List-Unsubscribe:\s*<([^>]+)>/im.exec(mail.text)
    expect(header, mail.text.slice(0, 2000)).not.toBeNull()
    const oneClick = header![1]!
    expect(new URL(oneClick).pathname).toBe('/api/email/unsubscribe')
    expect(mail.text).toMatch(/^List-Unsubscribe-Post:\s*List-Unsubscribe=One-Click/im)
    const res = await fetch(oneClick, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' })
    expect([res.status, await res.json()]).toEqual([200, { enabled: false }])
    expect((await (await carla.fetch('/api/me/email-digest')).json()) as unknown).toEqual({ enabled: false })
    // The page's button posts the token as JSON, also signed in (no CSRF header: it is not the session acting).
    await carla.fetch('/api/me/email-digest', { method: 'PUT', body: JSON.stringify({ enabled: true }) })
    const fromPage = await carla.fetch('/api/email/unsubscribe', { method: 'POST', body: JSON.stringify({ token }), headers: { 'x-csrf-token': '' } })
    expect([fromPage.status, await fromPage.json()]).toEqual([200, { enabled: false }])
    await decide(team, spec, idea, 'under_discussion')
    expect(await digest.runOnce()).toEqual({ sent: 0, failed: 0 })
    expect(smtp.messages).toHaveLength(2)

    // A bad or tampered token is 400 JSON and changes nothing.
    for (const bad of ['', 'nonsense', `${token}x`, `${Buffer.from('someone-else').toString('base64url')}.${token.split('.')[1]}`]) {
      const r = await fetch(`${service.url}/api/email/unsubscribe?token=${encodeURIComponent(bad)}`, { method: 'POST' })
      expect([r.status, ((await r.json()) as { error: { code: string } }).error.code]).toEqual([400, 'invalid_token'])
      const j = await fetch(`${service.url}/api/email/unsubscribe`, { method: 'POST', body: JSON.stringify({ token: bad }), headers: { 'content-type': 'application/json' } })
      expect(j.status).toBe(400)
    }
    expect((await fetch(`${service.url}/api/email/unsubscribe`, { method: 'POST' })).status).toBe(400)
  })

  it('skips opted-out customers, customers without email and answers already seen; retries a refused send', async () => {
    const smtp = await startSmtp()
    closers.push(smtp.close)
    const service = await startTestService({ smtpUrl: smtp.url })
    const spec = await createSpec(service)
    const team = await signInAs(service, 'team')
    const optedOut = await customerWithEmail(service, spec, 'out@example.com', 'Out')
    const noEmail = await customerWithEmail(service, spec, null, 'Nomail')
    const reader = await customerWithEmail(service, spec, 'reader@example.com', 'Reader')
    const retry = await customerWithEmail(service, spec, 'retry@example.com', 'Retry')
    const put = await optedOut.fetch('/api/me/email-digest', { method: 'PUT', body: { enabled: false } })
    expect([put.status, await put.json()]).toEqual([200, { enabled: false }])
    expect((await optedOut.fetch('/api/me/email-digest', { method: 'PUT', body: { enabled: 'no' } })).status).toBe(400)
    for (const who of [optedOut, noEmail, reader, retry]) await decide(team, spec, await seedIdea(service, spec, who, `Idea of ${who.principal.displayName}`), 'declined', 'Not now.')
    // The reader read their answers in the app before the round.
    const answers = (await (await reader.fetch(`/api/specs/${spec}/answers`)).json()) as { items: Array<{ at: string }> }
    await reader.fetch(`/api/specs/${spec}/answers/seen`, { method: 'POST', body: { upTo: answers.items[0]!.at } })

    smtp.refuse(true)
    expect(await service.digest!.runOnce()).toEqual({ sent: 0, failed: 1 })
    smtp.refuse(false)
    expect(await service.digest!.runOnce()).toEqual({ sent: 1, failed: 0 })
    expect(smtp.messages.map((m) => m.to)).toEqual([['retry@example.com']])
  })

  it('without SMTP_URL nothing is sent and answers still work', async () => {
    const smtp = await startSmtp()
    closers.push(smtp.close)
    const service = await startTestService()
    expect(service.config.smtpUrl).toBeNull()
    expect(service.digest).toBeNull()
    const spec = await createSpec(service)
    const carla = await customerWithEmail(service, spec, 'carla@example.com', 'Carla')
    await decide(await signInAs(service, 'team'), spec, await seedIdea(service, spec, carla, 'Idea'), 'accepted', 'Yes')
    expect(((await (await carla.fetch(`/api/specs/${spec}/answers`)).json()) as { unread: number }).unread).toBe(1)
    expect((await carla.fetch('/api/me/email-digest', { method: 'PUT', body: { enabled: false } })).status).toBe(200)
    expect([smtp.connections(), smtp.messages.length]).toEqual([0, 0])
  })
})
