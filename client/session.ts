/**
 * Page-level session handling: load who is signed in, send signed-out visitors to the sign-in
 * page with a safe `next`, and render the header's "who you are / sign out" area.
 */
import { getSession, logout, type Session } from './api/auth.js'
import { rememberReturnLink } from './api/return-links.js'
import { ApiError } from './api/http.js'
import { can } from '../shared/permissions.js'
import { h, messageOf } from './ui/dom.js'
import { confirmInviteeSignOut, showReturnLinkDialog } from './ui/return-link-dialog.js'
import { roleBadge } from './ui/roles.js'

/** The page a person is on, as a `next` value. */
export const currentPath = (): string => window.location.pathname + window.location.search + window.location.hash

/**
 * A same-origin path from a `next` parameter, or `fallback`. Refuses absolute URLs and
 * protocol-relative `//host` paths so a crafted link cannot send people elsewhere.
 */
export const safeNext = (value: string | null, fallback = '/'): string => {
  if (!value) return fallback
  try {
    const url = new URL(value, window.location.origin)
    return url.origin === window.location.origin ? url.pathname + url.search + url.hash : fallback
  } catch {
    return fallback
  }
}

/** The sign-in page URL that comes back to `next` (default: this page). */
export const signInUrl = (next: string = currentPath()): string =>
  next === '/' ? '/signin' : `/signin?next=${encodeURIComponent(next)}`

/**
 * The session, or a redirect to the sign-in page when there is none (resolves never then).
 * Network and server failures reject, so the page can say so instead of bouncing.
 */
export const requireSession = async (): Promise<Session> => {
  const session = await getSession()
  if (session) return session
  window.location.replace(signInUrl())
  return new Promise<never>(() => {})
}

/**
 * Renders the header's session area into `container` (`#session`): name, role badge,
 * Workspace link for facilitators, "Your return link" for invitees (who have no password) and a
 * Sign out button (warning invitees first); or a "Sign in" link.
 */
export const renderSessionArea = (container: HTMLElement, session: Session | null): void => {
  container.classList.add('session')
  if (!session) {
    container.replaceChildren(
      h('a', { id: 'signin-link', className: 'button button-small button-secondary', href: signInUrl() }, 'Sign in')
    )
    return
  }
  const { me } = session
  const who = h(
    'span',
    { className: 'session-who', id: 'session-who' },
    h('span', { className: 'visually-hidden' }, 'Signed in as '),
    h('span', { className: 'session-name' }, me.displayName),
    ' ',
    roleBadge(me.role)
  )
  const items: HTMLElement[] = [who]
  // Always here for facilitators, on every page (marked current on the Workspace itself), so it
  // never moves; "All specs" is always at the start of the header.
  if (can(me.role, 'panel:manage')) {
    const onWorkspace = window.location.pathname.startsWith('/workspace')
    items.push(h('a', { id: 'workspace-link', className: 'session-link', href: '/workspace', attrs: onWorkspace ? { 'aria-current': 'page' } : {} }, 'Workspace'))
  }
  if (me.kind === 'invitee') {
    const returnLink = h('button', { id: 'return-link', type: 'button', className: 'button button-small button-secondary' }, 'Your return link')
    returnLink.addEventListener('click', () => showReturnLinkDialog(me))
    items.push(returnLink)
  }
  if (me.kind !== 'token') {
    const signOut = h('button', { id: 'signout', type: 'button', className: 'button button-small button-secondary' }, 'Sign out')
    const problem = h('span', { className: 'session-error', attrs: { role: 'alert' } })
    const signOutNow = (): void => {
      signOut.disabled = true
      problem.textContent = ''
      logout()
        .then(() => {
          // Signed out means this device no longer holds a way back in.
          rememberReturnLink(me.participantId, null)
          window.location.assign('/signin')
        })
        .catch((error: unknown) => {
          signOut.disabled = false
          // A session that is already gone server-side is as good as signed out.
          if (error instanceof ApiError && error.status === 401) window.location.assign('/signin')
          else problem.textContent = messageOf(error, 'Could not sign out. Please try again.')
        })
    }
    signOut.addEventListener('click', () => {
      if (me.kind !== 'invitee') return signOutNow()
      void confirmInviteeSignOut(me).then((confirmed) => {
        if (confirmed) signOutNow()
      })
    })
    items.push(signOut, problem)
  }
  container.replaceChildren(...items)
}
