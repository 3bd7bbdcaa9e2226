/**
 * Team sign-up (`/signup?token=<invite token>`): an invited team member sets a password and is
 * signed in.
 */
import { signup } from '../api/auth.js'
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
