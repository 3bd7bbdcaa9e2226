/**
 * The editor page (`/specs/:id`): wires the spec's Y.Doc to the server and the local cache, the
 * ProseMirror editor, the save status, presence and the header.
 *
 * The editor starts from the local IndexedDB copy at once and works offline; the spec's metadata
 * (title) is fetched in parallel, and a 404 replaces the page with a "Spec not found" message.
 * For browser tests the live objects are exposed as `window.valence`.
 */
import type { EditorView } from 'prosemirror-view'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { SaveTracker } from '../../shared/save-status.js'
import { FRAGMENT_NAME } from '../../shared/schema.js'
import { ApiError, getSpec } from '../api.js'
import {
  MAX_NAME_LENGTH,
  adoptNameFromUrl,
  browserId,
  guestName,
  publishUser,
  storeName,
  storedName
} from '../collab/presence.js'
import { connectSpec, type Collab } from '../collab/provider.js'
import { createSpecEditor, setEditorLabel } from '../editor/setup.js'
import { AvatarsBar } from '../ui/avatars.js'
import { askText } from '../ui/dialog.js'
import { StatusIndicator } from '../ui/status-indicator.js'

/** What the page exposes on `window.valence` for tests and debugging. */
export interface ValenceHandles {
  specId: string
  ydoc: Y.Doc
  provider: WebsocketProvider
  view: EditorView
  tracker: SaveTracker
  collab: Collab
}

declare global {
  interface Window {
    valence?: ValenceHandles
  }
}

const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id)
  if (!el) throw new Error(`#${id} is missing from the page`)
  return el as T
}

/** The spec id from `/specs/<id>` (or `editor.html?id=<id>` when opened directly). */
const specIdFromLocation = (): string | null => {
  const match = /^\/specs\/([^/]+)\/?$/.exec(window.location.pathname)
  if (match?.[1]) return decodeURIComponent(match[1])
  return new URLSearchParams(window.location.search).get('id')
}

/** Replaces the page with a friendly "not found" message. */
const showNotFound = (): void => {
  document.title = 'Spec not found · Valence'
  byId('spec-title').textContent = 'Spec not found'
  for (const id of ['presence', 'save-status']) document.getElementById(id)?.remove()
  const main = byId('main')
  main.className = 'not-found'
  const heading = document.createElement('h1')
  heading.textContent = 'Spec not found'
  const text = document.createElement('p')
  text.textContent = 'This spec does not exist or was deleted.'
  const back = document.createElement('a')
  back.className = 'button button-primary'
  back.href = '/'
  back.textContent = 'Back to all specs'
  main.replaceChildren(heading, text, back)
}

/** Asks for a display name; on a first visit a dismissed dialog picks a guest name. */
const askForName = async (current: string | null): Promise<string | null> => {
  const answer = await askText({
    id: 'name-dialog',
    title: current ? 'Change your display name' : 'What should others call you?',
    description: 'Your name appears next to your cursor and in the list of people in this spec.',
    label: 'Display name',
    inputId: 'display-name',
    submitId: 'display-name-submit',
    submitLabel: current ? 'Save name' : 'Start editing',
    value: current ?? '',
    cancellable: current !== null,
    maxLength: MAX_NAME_LENGTH,
    autocomplete: 'nickname'
  })
  if (answer !== null) return storeName(answer)
  return current === null ? storeName(guestName(browserId())) : null
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

const start = (specId: string): void => {
  const ydoc = new Y.Doc()
  const indicator = new StatusIndicator(byId('save-status'))
  const tracker = new SaveTracker((state) => indicator.render(state))
  indicator.render(tracker.current)
  const collab = connectSpec(specId, ydoc, tracker)
  const { provider } = collab
  const { awareness } = provider

  const view = createSpecEditor({
    mount: byId('editor'),
    toolbar: byId('toolbar'),
    fragment: ydoc.getXmlFragment(FRAGMENT_NAME),
    awareness,
    label: 'Spec editor',
    askForLink
  })

  let name = adoptNameFromUrl() ?? storedName()
  const editName = (): void => {
    void askForName(name).then((next) => {
      if (next === null) return
      name = next
      publishUser(awareness, next)
    })
  }
  const avatars = new AvatarsBar(byId('presence'), awareness, editName)
  if (name === null) editName()
  else publishUser(awareness, name)

  const setTitle = (title: string): void => {
    byId('spec-title').textContent = title
    document.title = `${title} · Valence`
    setEditorLabel(view, `Spec editor: ${title}`)
  }

  getSpec(specId)
    .then((spec) => setTitle(spec.title || 'Untitled spec'))
    .catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) {
        avatars.destroy()
        view.destroy()
        collab.destroy()
        delete window.valence
        showNotFound()
        return
      }
      // Offline or a server error: keep editing the local copy; the socket retries on its own.
      setTitle(error instanceof ApiError && error.status === 0 ? 'Offline copy' : 'Spec')
    })

  window.valence = { specId, ydoc, provider, view, tracker, collab }
}

const specId = specIdFromLocation()
if (specId === null || specId === '') showNotFound()
else start(specId)
