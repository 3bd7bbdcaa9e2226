/**
 * The invite landing page (`/invite/<token>`): says who invites you to co-write which specs, in
 * which panel and role, asks for a display name (and optionally an email), then joins and opens
 * the spec. Expired, revoked and used-up links get a clear explanation instead of the form.
 *
 * A browser already signed in as an invitee is asked first: "You’re already here as Carla.
 * Continue as Carla, or join as someone new?" The server never merges a new panel into that
 * identity without this choice (a cookie may have been planted by someone else), and either
 * answer gives the browser a fresh session.
 *
 * The same page serves a personal return link (`/return/<token>`, docs/AUTH.md "Return links"):
 * it signs in as that invitee and opens the spec list. Returning people who only have the invite
 * link are told, under "I've been here before", to open their saved return link instead.
 */
import { acceptInvite, getInvite, getSession, type AcceptAs, type InvitePreview } from '../api/auth.js'
import { ApiError } from '../api/http.js'
import { returnTokenFromPath, signInWithReturnLink } from '../api/return-links.js'
import { safeNext } from '../session.js'
import { byId, h, messageOf } from '../ui/dom.js'
import { ROLE_LABELS, roleBadge } from '../ui/roles.js'

const card = byId<HTMLElement>('invite-card')
const heading = byId<HTMLElement>('invite-heading')
const status = byId<HTMLElement>('invite-status')
const details = byId<HTMLElement>('invite-details')
const form = byId<HTMLFormElement>('invite-form')
const nameInput = byId<HTMLInputElement>('invite-name')
const emailInput = byId<HTMLInputElement>('invite-email')
const submit = byId<HTMLButtonElement>('invite-submit')
const errorBox = byId<HTMLElement>('invite-error')
const choice = byId<HTMLElement>('invite-choice')
const question = byId<HTMLElement>('invite-choice-question')
const choiceHint = byId<HTMLElement>('invite-choice-hint')
const choiceError = byId<HTMLElement>('invite-choice-error')
const continueButton = byId<HTMLButtonElement>('invite-continue')
const newButton = byId<HTMLButtonElement>('invite-new')

/** The token from `/invite/<token>` (or `invite.html?token=` when opened directly). */
const tokenFromLocation = (): string => {
  const match = /^\/invite\/([^/]+)\/?$/.exec(window.location.pathname)
  if (match?.[1]) return decodeURIComponent(match[1])
  return new URLSearchParams(window.location.search).get('token') ?? ''
}

const ROLE_EXPLAINERS: Record<InvitePreview['role'], string> = {
  customer:
    'You can write and edit in these specs together with the team, live. Your ideas will be credited to you.',
  viewer: 'You can read these specs and follow the conversation live, but not edit them.'
}

const GONE: Record<string, { title: string; text: string }> = {
  invite_expired: {
    title: 'This invite link has expired',
    text: 'Ask the person who sent it for a new link.'
  },
  invite_revoked: {
    title: 'This invite link was withdrawn',
    text: 'The facilitator turned this link off. Ask them for a new one if you should still join.'
  },
  invite_used_up: {
    title: 'This invite link has been used up',
    text: 'It was already used as many times as allowed. Ask the person who sent it for a new link.'
  },
  invite_not_found: {
    title: 'This invite link does not work',
    text: 'Check that you copied the whole link, or ask the person who sent it for a new one.'
  },
  membership_removed: {
    title: 'You were removed from this panel',
    text: 'Ask the facilitator if you should still take part.'
  }
}

const token = tokenFromLocation()

/** Shows a final message (no form) and moves focus to the heading. */
const showProblem = (title: string, text: string): void => {
  card.removeAttribute('aria-busy')
  details.hidden = true
  form.hidden = true
  choice.hidden = true
  heading.textContent = title
  document.title = `${title} · Valence`
  status.setAttribute('role', 'alert')
  status.textContent = text
  status.classList.add('notice-error')
  heading.tabIndex = -1
  heading.focus()
}

const listFormat = new Intl.ListFormat('en', { style: 'long', type: 'conjunction' })

/** Shows the name form (joining as someone new) and focuses the name field. */
const showForm = (): void => {
  submit.disabled = false
  choice.hidden = true
  form.hidden = false
  nameInput.focus()
}

/** Asks whether to continue as the invitee this browser is signed in as, or join as someone new. */
const showChoice = (who: { displayName: string }, alreadyMember: boolean): void => {
  const name = who.displayName
  question.textContent = alreadyMember
    ? `You’re already in this panel as ${name}. Continue as ${name}, or join as someone new?`
    : `You’re already here as ${name}. Continue as ${name}, or join as someone new?`
  choiceHint.textContent = `If you are not ${name} (say, on a shared computer, or you don’t recognise the name), join as someone new.`
  continueButton.textContent = `Continue as ${name}`
  choiceError.textContent = ''
  continueButton.disabled = newButton.disabled = false
  form.hidden = true
  choice.hidden = false
  question.focus()
}

const render = (invite: InvitePreview): void => {
  const titles = invite.specs.map((s) => `“${s.title || 'Untitled spec'}”`)
  const inviter = invite.facilitator.displayName || 'A facilitator'
  heading.textContent = 'You’re invited to co-write'
  document.title = `Join ${invite.panel.name} · Valence`
  byId('invite-summary').textContent =
    titles.length > 0
      ? `${inviter} invites you to co-write: ${listFormat.format(titles)}.`
      : `${inviter} invites you to join the panel “${invite.panel.name}”. The specs will appear once they are shared with the panel.`
  byId('invite-specs').replaceChildren(
    ...invite.specs.map((s) => h('li', { dataset: { specId: s.id } }, s.title || 'Untitled spec'))
  )
  // One title reads fine in the sentence; several are easier to scan as a list too.
  byId('invite-specs').hidden = invite.specs.length <= 1
  byId('invite-panel-name').textContent = invite.panel.name
  const description = byId('invite-panel-description')
  description.textContent = invite.panel.description ?? ''
  description.hidden = !invite.panel.description
  byId('invite-role').replaceChildren(roleBadge(invite.role))
  byId('invite-role-explainer').textContent = ROLE_EXPLAINERS[invite.role]
  submit.textContent = invite.role === 'viewer' ? 'Join as viewer' : `Join as ${ROLE_LABELS[invite.role].toLowerCase()}`
  status.textContent = ''
  status.hidden = true
  card.removeAttribute('aria-busy')
  details.hidden = false
  byId('invite-returning').hidden = false
  if (invite.signedInAs) showChoice(invite.signedInAs, invite.alreadyMember)
  else showForm()
}

/** `/return/<token>`: signs in as the link's invitee and opens the spec list. */
const comeBack = (returnToken: string): void => {
  heading.textContent = 'Welcome back…'
  signInWithReturnLink(returnToken).then(
    () => window.location.replace('/'),
    (error: unknown) => {
      if (error instanceof ApiError && error.status === 404) {
        showProblem('This return link does not work any more', 'It was replaced by a newer link or turned off. Open your newest return link, or ask the facilitator for a new invite.')
      } else showProblem('Could not sign you back in', messageOf(error, 'Please reload the page to try again.'))
    }
  )
}

const load = (): void => {
  const returnToken = returnTokenFromPath(window.location.pathname)
  if (returnToken) return comeBack(returnToken)
  if (token === '') {
    const gone = GONE.invite_not_found!
    showProblem(gone.title, gone.text)
    return
  }
  getInvite(token)
    .then(render)
    .catch((error: unknown) => {
      const gone = error instanceof ApiError ? GONE[error.code] ?? (error.status === 404 ? GONE.invite_not_found : undefined) : undefined
      if (gone) showProblem(gone.title, gone.text)
      else if (error instanceof ApiError && error.status === 410) showProblem('This invite link no longer works', error.message)
      else showProblem('Could not open the invitation', messageOf(error, 'Please reload the page to try again.'))
    })
}

/**
 * Accepts as `as` and opens where the server says. On failure returns the error after handling
 * what the page can (gone links, a changed session); the caller shows the rest next to its form.
 */
const join = async (as: AcceptAs): Promise<unknown> => {
  try {
    const { redirectTo } = await acceptInvite(token, as)
    window.location.assign(safeNext(redirectTo, '/'))
    return null
  } catch (error: unknown) {
    // A refused accept may still have rotated the session: read its new CSRF token.
    await getSession().catch(() => null)
    const code = error instanceof ApiError ? error.code : ''
    const gone = GONE[code]
    if (gone) {
      showProblem(gone.title, gone.text)
      return null
    }
    if (code === 'identity_choice_required' || code === 'no_current_identity') {
      // The browser's session changed since the page loaded (another tab, or it expired).
      getInvite(token).then((invite) => {
        render(invite)
        if (!invite.signedInAs) errorBox.textContent = 'You are no longer signed in on this browser. Enter your name to join.'
      }, load)
      return null
    }
    return error
  }
}

continueButton.addEventListener('click', () => {
  continueButton.disabled = newButton.disabled = true
  choiceError.textContent = ''
  void join({ identity: 'current' }).then((error) => {
    if (!error) return
    continueButton.disabled = newButton.disabled = false
    choiceError.textContent = messageOf(error, 'Could not join. Please try again.')
  })
})
newButton.addEventListener('click', showForm)

nameInput.addEventListener('input', () => nameInput.setCustomValidity(''))
form.addEventListener('submit', (event) => {
  event.preventDefault()
  errorBox.textContent = ''
  const displayName = nameInput.value.replace(/\s+/g, ' ').trim()
  if (displayName === '') {
    nameInput.setCustomValidity('Please enter the name others should see.')
    nameInput.reportValidity()
    return
  }
  const email = emailInput.value.trim()
  submit.disabled = true
  void join({ identity: 'new', displayName, email: email === '' ? null : email }).then((error) => {
    if (!error) return
    submit.disabled = false
    errorBox.textContent = messageOf(error, 'Could not join. Please try again.')
    nameInput.focus()
  })
})
load()
