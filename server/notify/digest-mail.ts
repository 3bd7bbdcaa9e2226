/**
 * The text of one email digest: a short greeting, the new answers grouped by spec with a link
 * back to each spec, and the unsubscribe link. Plain text and HTML carry the same content;
 * everything that came from people (names, titles, notes, comments) is escaped in the HTML.
 */
import type { AnswerItem } from '../../shared/api-answers.js'
import type { Mail } from './mailer.js'

/** One spec's new answers in a digest. */
export interface DigestSection {
  specId: string
  title: string
  items: readonly AnswerItem[]
}

/** Who gets the digest, and where links point. */
export interface DigestAddress {
  email: string
  displayName: string
  /** Origin people use (no trailing slash). */
  publicUrl: string
  /** The unsubscribe page, where a person confirms (a link that a mail scanner may open). */
  unsubscribeUrl: string
  /** `POST` here switches digests off at once (`List-Unsubscribe`, RFC 8058 one-click). */
  oneClickUrl: string
}

const KIND_LABELS: Readonly<Record<AnswerItem['kind'], string>> = {
  decision: 'Decision',
  comment: 'Comment',
  removal: 'Removed',
  restore: 'Restored'
}

/** HTML-escapes text for element content and double-quoted attributes. */
export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')

/** `2026-12-02 09:30 UTC` */
const when = (at: string): string => `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`

/** The link to a spec. */
export const specLink = (publicUrl: string, specId: string): string => `${publicUrl}/specs/${encodeURIComponent(specId)}`

/** Builds the digest mail for `to` from non-empty `sections`. */
export function digestMail(to: DigestAddress, sections: readonly DigestSection[]): Mail {
  const count = sections.reduce((n, s) => n + s.items.length, 0)
  const subject = count === 1 ? 'A new answer to your ideas' : `${count} new answers to your ideas`
  const text: string[] = [`Hello ${to.displayName},`, '', 'There are new answers to your ideas:', '']
  const html: string[] = [`<p>Hello ${escapeHtml(to.displayName)},</p>`, '<p>There are new answers to your ideas:</p>']
  for (const s of sections) {
    const link = specLink(to.publicUrl, s.specId)
    text.push(s.title)
    html.push(`<h2><a href="${escapeHtml(link)}">${escapeHtml(s.title)}</a></h2>`, '<ul>')
    for (const item of s.items) {
      const line = `${KIND_LABELS[item.kind]} by ${item.by.displayName}, ${when(item.at)}: ${item.summary}`
      text.push(`- ${line}`)
      html.push(`<li>${escapeHtml(line)}</li>`)
    }
    text.push(`  Open: ${link}`, '')
    html.push('</ul>', `<p><a href="${escapeHtml(link)}">Open “${escapeHtml(s.title)}”</a></p>`)
  }
  text.push(`To stop these emails, open: ${to.unsubscribeUrl}`)
  html.push(`<p style="font-size:small">Don't want these emails? <a href="${escapeHtml(to.unsubscribeUrl)}">Unsubscribe</a>.</p>`)
  return {
    to: to.email,
    subject,
    text: text.join('\n'),
    html: `<!doctype html><html><body>${html.join('\n')}</body></html>`,
    headers: { 'List-Unsubscribe': `<${to.oneClickUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
  }
}
