/**
 * The editor page (`/specs/:id`): checks who is signed in, then wires the spec's Y.Doc to the
 * server and the local cache, the ProseMirror editor (read-only for viewers), the save status,
 * presence with role badges and the header.
 *
 * Signed-out visitors go to the sign-in page. Once signed in, the editor starts from the local
 * IndexedDB copy at once and works offline (with the last known identity when the server cannot
 * be reached). Lost sessions and lost access stop the connection and say why.
 * For browser tests the live objects are exposed as `window.valence`.
 */
import type { EditorView } from 'prosemirror-view'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { can, seesAllSpecs } from '../../shared/permissions.js'
import { SaveTracker, type SaveState } from '../../shared/save-status.js'
import { FRAGMENT_NAME } from '../../shared/schema.js'
import { documentTitle, metadataTitle } from '../../shared/spec-title.js'
import { getSession, type Me, type Session } from '../api/auth.js'
import { ApiError, getSpec } from '../api/specs.js'
import { watchAccess, type AccessProblem } from '../collab/access-watch.js'
import { ACCESS_REVOKED, SESSION_ENDED } from '../collab/close-reasons.js'
import { publishUser } from '../collab/presence.js'
import { receiveAttribution, setProvisional } from '../attribution/index.js'
import { connectSpec, type Collab } from '../collab/provider.js'
import { warnBeforeUnload } from '../collab/unload-warning.js'
import { mountReview, reviewHighlightPlugin, type ReviewHandles } from '../review/index.js'
import { customerPromptDone, customerPromptPlugin, placeCaretForWriting } from '../editor/customer-prompt.js'
import { createSpecEditor, setEditorLabel } from '../editor/setup.js'
import { LiveThreads, threadsTab } from '../threads/index.js'
import { renderSessionArea, signInUrl } from '../session.js'
import { AvatarsBar } from '../ui/avatars.js'
import { askText } from '../ui/dialog.js'
import { mountExportButton } from '../ui/export-button.js'
import { mountHeaderMenu } from '../ui/header-menu.js'
import { byId, h } from '../ui/dom.js'
import { StatusIndicator } from '../ui/status-indicator.js'

/** What the page exposes on `window.valence` for tests and debugging. */
export interface ValenceHandles {
  specId: string
  ydoc: Y.Doc
  provider: WebsocketProvider
  view: EditorView
  tracker: SaveTracker
  collab: Collab
  me: Me
  /** The side panel and review data (client/review). */
  review: ReviewHandles
}

declare global {
  interface Window {
    valence?: ValenceHandles
  }
}

/** localStorage key of the last signed-in identity, for opening the offline copy. */
const ME_KEY = 'valence:me'

const rememberMe = (me: Me): void => {
  try {
    localStorage.setItem(ME_KEY, JSON.stringify(me))
  } catch {
    // Storage disabled: offline starts need a connection once per page then.
  }
}

const rememberedMe = (): Me | null => {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(ME_KEY) ?? 'null')
    const me = value as Partial<Me> | null
    return me && typeof me.participantId === 'string' && typeof me.displayName === 'string' && typeof me.role === 'string'
      ? (me as Me)
      : null
  } catch {
    return null
  }
}

/** The spec id from `/specs/<id>` (or `editor.html?id=<id>` when opened directly). */
const specIdFromLocation = (): string | null => {
  const match = /^\/specs\/([^/]+)\/?$/.exec(window.location.pathname)
  if (match?.[1]) return decodeURIComponent(match[1])
  return new URLSearchParams(window.location.search).get('id')
}

/** Replaces the page body with a message (spec not found, no access). */
const showPageMessage = (title: string, text: string): void => {
  document.title = `${title} · Valence`
  byId('spec-title').textContent = title
  for (const id of ['presence', 'save-status', 'view-only']) document.getElementById(id)?.remove()
  const main = byId('main')
  main.className = 'not-found'
  const heading = h('h1', { tabIndex: -1 }, title)
  main.replaceChildren(
    heading,
    h('p', {}, text),
    h('a', { className: 'button button-primary', href: '/' }, 'Back to all specs')
  )
  heading.focus()
}

const showNotFound = (): void => showPageMessage('Spec not found', 'This spec does not exist or was deleted.')
const showNoAccess = (): void =>
  showPageMessage(
    'You don’t have access to this spec',
    'It was not shared with you, your access was removed, or it was deleted. Ask the facilitator who invited you.'
  )

/** Fills the banner above the editor (`#access-notice`, role=alert; empty = not shown). */
const showNotice = (text: string, link?: { href: string; label: string; id: string }): void => {
  const notice = byId('access-notice')
  notice.replaceChildren(h('span', {}, text))
  if (link) notice.append(' ', h('a', { href: link.href, id: link.id }, link.label))
}

/** Asks for a link address. */
const askForLink = (current: string): Promise<string | null> =>
  askText({
    id: 'link-dialog',
    title: 'Add a link',
    label: 'Link address',
    inputId: 'link-href',
    submitId: 'link-submit',
    submitLabel: 'Add link',
    placeholder: 'https://example.com',
    value: current,
    type: 'text',
    cancellable: true,
    autocomplete: 'url'
  })

const start = (specId: string, me: Me): void => {
  const readOnly = !can(me.role, 'spec:write')
  const ydoc = new Y.Doc()
  const indicator = new StatusIndicator(byId('save-status'))
  // Blocks typed offline get a provisional "You (not yet saved)" marker until saved (issue 9).
  let editor: EditorView | null = null
  const showProvisional = (state: SaveState): void => {
    const on = state.status === 'offline-unsaved' ? true : state.status === 'saved' ? false : null
    // Deferred: the tracker reports from inside the editor's own dispatch.
    if (on !== null) queueMicrotask(() => editor && setProvisional(editor, on))
  }
  const tracker = new SaveTracker((state: SaveState) => {
    indicator.render(state)
    showProvisional(state)
  })
  indicator.render(tracker.current)
  const collab = connectSpec(specId, me.participantId, ydoc, tracker)
  const { provider } = collab
  const { awareness } = provider
  const stopUnloadWarning = warnBeforeUnload(tracker)

  if (readOnly) {
    byId('view-only').hidden = false
    // Viewers may comment: their toolbar holds only the Comment button.
    byId('toolbar').setAttribute('aria-label', 'Comments')
  }
  const threads = new LiveThreads(specId, me)
  // A customer new to the spec lands with the caret in it and a one-line prompt (issue 9).
  const welcome = me.role === 'customer' && !readOnly && !customerPromptDone(specId)

  const view = createSpecEditor({
    mount: byId('editor'),
    toolbar: byId('toolbar'),
    fragment: ydoc.getXmlFragment(FRAGMENT_NAME),
    awareness,
    label: 'Spec editor',
    askForLink,
    readOnly,
    attributionBar: byId('attribution-bar'),
    plugins: [threads.plugin, reviewHighlightPlugin(), ...(welcome ? [customerPromptPlugin(specId)] : [])]
  })
  editor = view
  // Registered before the socket can deliver anything (it connects asynchronously).
  receiveAttribution(provider, view)
  publishUser(awareness, me)
  if (welcome) {
    // Not when they already clicked or tapped into the text before the first sync.
    const placeCaret = (): void => {
      if (!view.hasFocus()) placeCaretForWriting(view)
    }
    if (provider.synced) placeCaret()
    else provider.once('sync', placeCaret)
  }
  const avatars = new AvatarsBar(byId('presence'), awareness)
  const review = mountReview({ specId, participantId: me.participantId, role: me.role, view, provider, threadEmbed: threads.embed })
  threads.attach(view, provider, threadsTab(review.sidePanel, byId('review-toggles')), () => review.data?.snapshot.contributions?.contributions ?? [])
  const stopThreadsData = review.data?.subscribe(threads.refresh)
  const stopExport = mountExportButton(specId, me.role, byId('review-toggles'))

  const freeze = (): void => {
    view.setProps({ editable: () => false })
    byId('toolbar').hidden = true
  }
  const teardown = (): void => {
    stopWatching()
    stopUnloadWarning()
    editor = null
    avatars.destroy()
    review.destroy()
    stopThreadsData?.()
    stopExport()
    threads.destroy()
    view.destroy()
    collab.destroy()
    delete window.valence
  }

  // The server answers 404 for specs someone may not see, so for customers and viewers "not
  // found" most likely means "not shared with you (any more)".
  const showMissing = (): void => (seesAllSpecs(me.role) ? showNotFound() : showNoAccess())
  const onProblem = (problem: AccessProblem): void => {
    if (problem === 'not-found') return (teardown(), showMissing())
    if (problem === 'no-access') return (teardown(), showNoAccess())
    freeze()
    indicator.stop('Signed out')
    showNotice('Signed out — sign in again to keep editing.', {
      href: signInUrl(),
      label: 'Sign in again',
      id: 'signin-again'
    })
  }
  const stopWatching = watchAccess(provider, specId, onProblem)

  provider.on('connection-close', (event) => {
    if (event?.code === SESSION_ENDED) {
      freeze()
      showNotice('Your access to this spec was removed: your session ended.', {
        href: signInUrl(),
        label: 'Sign in again',
        id: 'signin-again'
      })
    } else if (event?.code === ACCESS_REVOKED) {
      freeze()
      showNotice('Your access to this spec was removed.', { href: '/', label: 'Back to all specs', id: 'back-to-specs' })
      // Signing out in another tab ends this connection the same way: offer to sign in again.
      void getSession()
        .then((session) => {
          if (session) return
          showNotice('Your access to this spec was removed: you were signed out.', {
            href: signInUrl(),
            label: 'Sign in again',
            id: 'signin-again'
          })
        })
        .catch(() => {})
    }
  })

  const setTitle = (title: string): void => {
    byId('spec-title').textContent = title
    document.title = `${title} · Valence`
    setEditorLabel(view, `Spec editor: ${title}`)
  }

  // One title: the header follows the document's title block as people type in it (the server
  // renames the spec to match, shared/spec-title.ts); an empty block keeps the last title.
  const fragment = ydoc.getXmlFragment(FRAGMENT_NAME)
  let shownTitle = ''
  const followTitle = (): void => {
    const title = metadataTitle(documentTitle(ydoc))
    if (title !== null && title !== shownTitle) setTitle((shownTitle = title))
  }
  fragment.observeDeep(followTitle)

  getSpec(specId)
    .then((spec) => {
      if (shownTitle === '') setTitle(spec.title || 'Untitled spec')
    })
    .catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return (teardown(), showMissing())
      if (error instanceof ApiError && error.status === 403) return (teardown(), showNoAccess())
      if (error instanceof ApiError && error.status === 401) return onProblem('signed-out')
      // Offline or a server error: keep editing the local copy; the socket retries on its own.
      setTitle(error instanceof ApiError && error.status === 0 ? 'Offline copy' : 'Spec')
    })

  window.valence = { specId, ydoc, provider, view, tracker, collab, me, review }
}

const boot = async (specId: string): Promise<void> => {
  let session: Session | null
  try {
    session = await getSession()
  } catch (error) {
    const me = error instanceof ApiError && error.status === 0 ? rememberedMe() : null
    if (me === null) {
      showPageMessage('Could not open this spec', 'The server cannot be reached. Check your connection and reload.')
      return
    }
    session = { me, csrfToken: '', permissions: [] }
  }
  if (session === null) {
    window.location.replace(signInUrl())
    return
  }
  rememberMe(session.me)
  renderSessionArea(byId('session'), session)
  mountHeaderMenu(byId('app-header'), byId<HTMLButtonElement>('header-menu-toggle'))
  start(specId, session.me)
}

const specId = specIdFromLocation()
if (specId === null || specId === '') showNotFound()
else void boot(specId)
