/**
 * Team sign-up (`/signup?token=<link token>`): an invited team member sets a password and is
 * signed in; the same page serves a facilitator's password-reset link. The page names the email
 * the account is for (and gives it to password managers) as soon as the link is read.
 */
import { readTeamLink, signup } from '../api/auth.js'
import { ApiError } from '../api/http.js'
import { byId, h, messageOf } from '../ui/dom.js'

const form = byId<HTMLFormElement>('signup-form')
const password = byId<HTMLInputElement>('signup-password')
const confirm = byId<HTMLInputElement>('signup-confirm')
const submit = byId<HTMLButtonElement>('signup-submit')
const errorBox = byId<HTMLElement>('signup-error')

const token = new URLSearchParams(window.location.search).get('token') ?? ''

if (token === '') {
  form.replaceChildren(
    h('p', { className: 'notice', attrs: { role: 'status' } }, 'This page needs the sign-up link a facilitator sent you. Open that link to continue.')
  )
} else {
  password.focus()
  readTeamLink(token)
    .then((link) => {
      byId<HTMLInputElement>('signup-email').value = link.email
      byId('signup-email-field').hidden = false
      if (link.purpose === 'reset') {
        document.title = 'Choose a new password · Valence'
        byId('signup-heading').textContent = 'Choose a new password'
        byId('signup-lead').textContent = `For ${link.displayName}'s team account. Other devices signed in to it are signed out.`
        submit.textContent = 'Set password'
      } else {
        byId('signup-lead').textContent = `You were invited to the team workspace as ${link.displayName}. Choose a password to finish creating your account.`
      }
    })
    .catch((error: unknown) => {
      const gone = error instanceof ApiError && (error.status === 404 || error.status === 410)
      if (gone) errorBox.textContent = 'This link is no longer valid. Ask a facilitator for a new one.'
    })
}

confirm.addEventListener('input', () => confirm.setCustomValidity(''))
form.addEventListener('submit', (event) => {
  event.preventDefault()
  errorBox.textContent = ''
  if (confirm.value !== password.value) {
    confirm.setCustomValidity('The passwords do not match.')
    confirm.reportValidity()
    return
  }
  submit.disabled = true
  signup(token, password.value)
    .then(() => window.location.assign('/'))
    .catch((error: unknown) => {
      submit.disabled = false
      const gone = error instanceof ApiError && (error.status === 404 || error.status === 410)
      errorBox.textContent = gone
        ? 'This sign-up link is no longer valid. Ask a facilitator for a new one.'
        : messageOf(error, 'Could not create the account. Please try again.')
      password.focus()
    })
})
