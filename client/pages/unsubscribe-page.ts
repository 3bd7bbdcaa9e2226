/**
 * The unsubscribe page (`/unsubscribe?token=…`), linked from every email digest. Opening it
 * changes nothing (mail scanners open every link in a mail); the person confirms with the
 * button, which posts the signed token to `POST /api/email/unsubscribe`. Works signed out.
 */
import { request } from '../api/http.js'
import { byId, messageOf } from '../ui/dom.js'

const form = byId<HTMLFormElement>('unsubscribe-form')
const submit = byId<HTMLButtonElement>('unsubscribe-submit')
const errorBox = byId<HTMLElement>('unsubscribe-error')
const done = byId<HTMLElement>('unsubscribe-done')
const heading = byId<HTMLElement>('unsubscribe-heading')

const token = new URLSearchParams(window.location.search).get('token') ?? ''

if (token === '') {
  errorBox.textContent = 'This unsubscribe link is incomplete. Open the link from the email again, or turn digests off from your menu in Valence.'
  submit.disabled = true
}

form.addEventListener('submit', (event) => {
  event.preventDefault()
  submit.disabled = true
  errorBox.textContent = ''
  request('POST', '/api/email/unsubscribe', { token })
    .then(() => {
      form.hidden = true
      heading.textContent = 'Email digests stopped'
      done.textContent = 'You will get no more digest emails. To turn them back on, use the menu in Valence.'
      heading.tabIndex = -1
      heading.focus()
    })
    .catch((err: unknown) => {
      errorBox.textContent = messageOf(err)
      submit.disabled = false
    })
})
