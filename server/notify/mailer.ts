/**
 * Outgoing mail: one nodemailer SMTP transport built from configuration (`SMTP_URL`,
 * `MAIL_FROM`, server/config.ts). Everything that sends mail takes the small {@link Mailer}
 * interface, so the digest job does not know about SMTP and a service without `SMTP_URL`
 * builds no transport at all (nothing is sent, nothing breaks).
 */
import nodemailer from 'nodemailer'

/** One message: plain text and HTML alternatives of the same content. */
export interface Mail {
  to: string
  subject: string
  text: string
  html: string
  /** Extra headers (e.g. `List-Unsubscribe`). */
  headers?: Record<string, string>
}

/** Sends mail. */
export interface Mailer {
  /** Resolves once the server accepted the message; rejects if it did not. */
  send(mail: Mail): Promise<void>
  /** Closes pooled connections. */
  close(): void
}

/**
 * A {@link Mailer} over SMTP. `smtpUrl` is `smtp://[user:pass@]host:port` (or `smtps://`);
 * options may ride in its query (nodemailer URL syntax).
 * @example
 *   const mailer = smtpMailer('smtp://127.0.0.1:2525', 'Valence <valence@example.com>')
 *   await mailer.send({ to: 'ann@example.com', subject: 'Hi', text: 'Hi', html: '<p>Hi</p>' })
 */
export function smtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl)
  return {
    async send(mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, headers: mail.headers })
    },
    close() {
      transport.close()
    }
  }
}
