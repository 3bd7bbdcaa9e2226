/**
 * The sign-in page (`/signin?next=<path>`): email and password for team accounts. Shows why a
 * sign-in failed (wrong credentials, too many attempts with the wait time) and goes to `next`.
 * On a fresh deployment it points to the first-run setup link instead.
 */
import { getSession, login, setupStatus } from '../api/auth.js'
import { ApiError } from '../api/http.js'
import { safeNext } from '../session.js'
import { byId, h, messageOf } from '../ui/dom.js'
import { ROLE_LABELS } from '../ui/roles.js'

const form = byId<HTMLFormElement>('signin-form')
const email = byId<HTMLInputElement>('signin-email')
const password = byId<HTMLInputElement>('signin-password')
const submit = byId<HTMLButtonElement>('signin-submit')
const errorBox = byId<HTMLElement>('signin-error')
const notice = byId<HTMLElement>('signin-notice')

const next = safeNext(new URLSearchParams(window.location.search).get('next'))

/** "in 45 seconds", "in 3 minutes". */
const waitText = (seconds: number): string => {
  if (seconds < 60) return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`
  const minutes = Math.ceil(seconds / 60)
  return `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`
}

/**
 * Sign-in is throttled per email (and address): a lock holds for the email it was reported for,
 * so correcting a mistyped email re-enables the button, and going back to the locked one
 * disables it again until the wait is over.
 */
const locks = new Map<string, number>()
let lockTimer: number | undefined

const emailKey = (): string => email.value.trim().toLowerCase()

/** Whether the email now in the field is still locked. */
const locked = (): boolean => (locks.get(emailKey()) ?? 0) > Date.now()

/** Disables the form for the email now in the field until the rate limit is over, then says so. */
const lockFor = (seconds: number): void => {
  const key = emailKey()
  locks.set(key, Date.now() + seconds * 1000)
  submit.disabled = true
  window.clearTimeout(lockTimer)
  lockTimer = window.setTimeout(() => {
    locks.delete(key)
    if (emailKey() !== key) return
    submit.disabled = false
    errorBox.textContent = ''
    notice.textContent = 'You can try signing in again now.'
  }, seconds * 1000)
}

let submitting = false

email.addEventListener('input', () => {
  if (submitting) return
  const wasDisabled = submit.disabled
  submit.disabled = locked()
  if (wasDisabled && !submit.disabled) errorBox.textContent = ''
})

const explain = (error: unknown): string => {
  if (error instanceof ApiError) {
    if (error.code === 'invalid_credentials' || error.status === 401) {
      return 'That email and password do not match an account. Check them and try again.'
    }
    if (error.code === 'rate_limited' || error.status === 429) {
      const seconds = error.retryAfter
      if (seconds !== null && seconds > 0) {
        lockFor(seconds)
        return `Too many sign-in attempts. Try again in ${waitText(seconds)}.`
      }
      return 'Too many sign-in attempts. Wait a few minutes, then try again.'
    }
  }
  return messageOf(error, 'Could not sign in. Please try again.')
}

form.addEventListener('submit', (event) => {
  event.preventDefault()
  if (locked()) return
  errorBox.textContent = ''
  notice.textContent = ''
  submit.disabled = true
  submit.textContent = 'Signing in…'
  submitting = true
  login(email.value.trim(), password.value)
    .then(() => window.location.assign(next))
    .catch((error: unknown) => {
      submitting = false
      errorBox.textContent = explain(error)
      if (!locked()) submit.disabled = false
      submit.textContent = 'Sign in'
      password.value = ''
      password.focus()
    })
})

// Tell people who are already signed in, and point a fresh deployment to its setup link.
void getSession()
  .then((session) => {
    if (!session) return
    const continueLink = h('a', { href: next, id: 'signin-continue' }, 'continue')
    notice.replaceChildren(
      `You are signed in as ${session.me.displayName} (${ROLE_LABELS[session.me.role]}). `,
      continueLink,
      ' or sign in below as someone else.'
    )
  })
  .catch(() => {})
void setupStatus()
  .then((needsSetup) => {
    if (!needsSetup) return
    notice.textContent =
      'This Valence has no facilitator yet. Open the one-time setup link printed in the server console to create the first account.'
  })
  .catch(() => {})
email.focus()
