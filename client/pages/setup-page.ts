/**
 * First run (`/setup?token=<one-time token>`): creates the first facilitator account with the
 * setup link the server printed to its console, then opens the workspace.
 */
import { setup, setupStatus } from '../api/auth.js'
import { byId, h, messageOf } from '../ui/dom.js'

const form = byId<HTMLFormElement>('setup-form')
const name = byId<HTMLInputElement>('setup-name')
const email = byId<HTMLInputElement>('setup-email')
const password = byId<HTMLInputElement>('setup-password')
const submit = byId<HTMLButtonElement>('setup-submit')
const errorBox = byId<HTMLElement>('setup-error')
const notice = byId<HTMLElement>('setup-notice')

const token = new URLSearchParams(window.location.search).get('token') ?? ''

/** Replaces the form with a message and a sign-in link. */
const closeForm = (text: string): void => {
  form.hidden = true
  notice.replaceChildren(text + ' ', h('a', { href: '/signin' }, 'Go to sign in'))
}

if (token === '') {
  form.hidden = true
  notice.textContent =
    'This page needs the one-time setup link printed in the server console when Valence first starts. Open that link to continue.'
} else {
  void setupStatus()
    .then((needsSetup) => {
      if (!needsSetup) closeForm('Valence is already set up.')
    })
    .catch(() => {})
  name.focus()
}

form.addEventListener('submit', (event) => {
  event.preventDefault()
  errorBox.textContent = ''
  submit.disabled = true
  setup({ token, email: email.value.trim(), password: password.value, displayName: name.value.trim() })
    .then(() => window.location.assign('/workspace'))
    .catch((error: unknown) => {
      submit.disabled = false
      errorBox.textContent = messageOf(error, 'Could not create the account. Please try again.')
      name.focus()
    })
})
