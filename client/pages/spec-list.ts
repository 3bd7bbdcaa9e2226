/**
 * The spec list page (`/`, sign-in required): lists the specs this person may see, and for
 * facilitators creates one from a title, renames inline and deletes after a confirmation.
 * Every item is `li[data-spec-id]` with `[data-action]` controls.
 */
import { can, type Role } from '../../shared/permissions.js'
import { ApiError, createSpec, deleteSpec, listSpecs, renameSpec, specUrl, type Spec } from '../api/specs.js'
import { renderSessionArea, requireSession } from '../session.js'
import { confirmAction } from '../ui/dialog.js'
import { byId, h } from '../ui/dom.js'
import { ago, fullDate } from '../ui/relative-time.js'

const form = byId<HTMLFormElement>('new-spec-form')
const titleInput = byId<HTMLInputElement>('new-spec-title')
const submit = byId<HTMLButtonElement>('new-spec-submit')
const list = byId<HTMLUListElement>('spec-list')
const status = byId<HTMLElement>('list-status')
const errorBox = byId<HTMLElement>('list-error')

let specs: Spec[] = []
/** Set once the session is known; until then nothing is rendered. */
let role: Role = 'viewer'

const showError = (error: unknown): void => {
  errorBox.textContent =
    error instanceof ApiError ? error.message : 'Something went wrong. Please try again.'
}
const clearError = (): void => {
  errorBox.textContent = ''
}


const button = (action: string, text: string, label: string, className = 'button-secondary'): HTMLButtonElement => {
  const b = document.createElement('button')
  b.type = 'button'
  b.className = `button button-small ${className}`
  b.dataset.action = action
  b.textContent = text
  b.setAttribute('aria-label', label)
  return b
}

/** Answers to the reader's own ideas in `spec` they have not seen (the list sends it per spec). */
const unreadOf = (spec: Spec): number => {
  const n = (spec as Spec & { unreadAnswers?: unknown }).unreadAnswers
  return typeof n === 'number' && n > 0 ? n : 0
}

const itemFor = (spec: Spec): HTMLLIElement => {
  const li = document.createElement('li')
  li.className = 'spec-item'
  li.dataset.specId = spec.id
  const main = document.createElement('div')
  main.className = 'spec-main'
  const link = document.createElement('a')
  link.className = 'spec-link'
  link.href = specUrl(spec.id)
  link.dataset.action = 'open'
  link.textContent = spec.title || 'Untitled spec'
  const meta = document.createElement('p')
  meta.className = 'spec-meta'
  const time = document.createElement('time')
  time.dateTime = spec.updatedAt
  time.title = fullDate(spec.updatedAt)
  time.textContent = ago(spec.updatedAt)
  // "Edited by Carla, 2 minutes ago": who keeps a spec alive matters as much as when.
  if (spec.lastEditedBy) meta.append(`Edited by ${spec.lastEditedBy.displayName}, `, time)
  else meta.append('Updated ', time)
  const unread = unreadOf(spec)
  if (unread > 0) {
    meta.append(' ', h('span', { className: 'unread-badge', dataset: { unread: String(unread) } }, `${unread} unread ${unread === 1 ? 'answer' : 'answers'}`))
  }
  main.append(link, meta)
  li.append(main)
  const name = `“${spec.title || 'Untitled spec'}”`
  const actions = document.createElement('div')
  actions.className = 'spec-actions'
  if (can(role, 'spec:rename')) {
    const rename = button('rename', 'Rename', `Rename ${name}`)
    rename.addEventListener('click', () => startRename(li, spec))
    actions.append(rename)
  }
  if (can(role, 'spec:delete')) {
    const remove = button('delete', 'Delete', `Delete ${name}`, 'button-danger-quiet')
    remove.addEventListener('click', () => void confirmDelete(spec))
    actions.append(remove)
  }
  if (actions.childElementCount > 0) li.append(actions)
  return li
}

const render = (): void => {
  specs.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
  list.replaceChildren(...specs.map(itemFor))
  status.textContent =
    specs.length === 0
      ? can(role, 'spec:create')
        ? 'No specs yet. Create the first one above.'
        : 'No specs have been shared with you yet.'
      : `${specs.length} ${specs.length === 1 ? 'spec' : 'specs'}`
  status.classList.toggle('is-empty', specs.length === 0)
}

const itemElement = (id: string): HTMLElement | null =>
  list.querySelector<HTMLElement>(`[data-spec-id="${CSS.escape(id)}"]`)

const focusAction = (id: string, action: string): void => {
  itemElement(id)?.querySelector<HTMLElement>(`[data-action="${action}"]`)?.focus()
}

function startRename(li: HTMLLIElement, spec: Spec): void {
  clearError()
  const renameForm = document.createElement('form')
  renameForm.className = 'rename-form'
  const inputId = `rename-${spec.id}`
  const label = document.createElement('label')
  label.className = 'visually-hidden'
  label.htmlFor = inputId
  label.textContent = `New title for “${spec.title}”`
  const input = document.createElement('input')
  input.id = inputId
  input.name = 'title'
  input.type = 'text'
  input.required = true
  input.maxLength = 200
  input.value = spec.title
  input.autocomplete = 'off'
  const save = document.createElement('button')
  save.type = 'submit'
  save.className = 'button button-small button-primary'
  save.dataset.action = 'save-rename'
  save.textContent = 'Save'
  const cancel = button('cancel-rename', 'Cancel', 'Cancel renaming')
  renameForm.append(label, input, save, cancel)
  li.replaceChildren(renameForm)
  li.classList.add('is-renaming')
  input.focus()
  input.select()

  const restore = (focus: string): void => {
    render()
    focusAction(spec.id, focus)
  }
  cancel.addEventListener('click', () => restore('rename'))
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') restore('rename')
  })
  renameForm.addEventListener('submit', (event) => {
    event.preventDefault()
    const title = input.value.trim()
    if (title === '') {
      input.setCustomValidity('Please enter a title.')
      input.reportValidity()
      return
    }
    if (title === spec.title) return restore('open')
    save.disabled = true
    renameSpec(spec.id, title)
      .then((updated) => {
        specs = specs.map((s) => (s.id === updated.id ? updated : s))
        restore('open')
        status.textContent = `Renamed to “${updated.title}”.`
      })
      .catch((error: unknown) => {
        save.disabled = false
        showError(error)
        input.focus()
      })
  })
  input.addEventListener('input', () => input.setCustomValidity(''))
}

async function confirmDelete(spec: Spec): Promise<void> {
  clearError()
  const confirmed = await confirmAction({
    id: 'confirm-delete',
    title: 'Delete this spec?',
    message: `“${spec.title || 'Untitled spec'}” will be removed for everyone who works on it.`,
    confirmLabel: 'Delete spec',
    danger: true
  })
  if (!confirmed) return focusAction(spec.id, 'delete')
  try {
    await deleteSpec(spec.id)
    const index = specs.findIndex((s) => s.id === spec.id)
    specs = specs.filter((s) => s.id !== spec.id)
    render()
    status.textContent = `Deleted “${spec.title}”.`
    const next = specs[Math.min(index, specs.length - 1)]
    if (next) focusAction(next.id, 'open')
    else titleInput.focus()
  } catch (error) {
    showError(error)
    focusAction(spec.id, 'delete')
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault()
  clearError()
  const title = titleInput.value.trim()
  if (title === '') {
    titleInput.setCustomValidity('Please enter a title.')
    titleInput.reportValidity()
    return
  }
  submit.disabled = true
  createSpec(title)
    .then((spec) => {
      specs = [spec, ...specs.filter((s) => s.id !== spec.id)]
      render()
      titleInput.value = ''
      status.textContent = `Created “${spec.title}”.`
      focusAction(spec.id, 'open')
    })
    .catch(showError)
    .finally(() => {
      submit.disabled = false
    })
})
titleInput.addEventListener('input', () => titleInput.setCustomValidity(''))

/** What the list is, in the words of each role that can't create specs (issue 9 item 8). */
const LEADS: Record<Role, string> = {
  facilitator: 'Write product specs together with your customers, live.',
  team: 'Every spec of the workspace. Write them live with the customer panels invited to each, and answer their ideas.',
  customer: 'The specs you were invited to write together with the team. Your words are credited to you.',
  viewer: 'The specs you were invited to follow. You can read them live; editing is off.'
}

/** Adapts the page to the role: create form and workspace link for facilitators only. */
const applyRole = (): void => {
  form.hidden = !can(role, 'spec:create')
  if (!can(role, 'spec:create')) {
    byId('spec-list-heading').textContent = 'Your specs'
    const lead = document.querySelector('.lead')
    if (lead) {
      lead.textContent = LEADS[role]
    }
  }
  if (can(role, 'panel:manage')) {
    const lead = document.querySelector('.lead')
    lead?.append(
      ' ',
      h('a', { href: '/workspace', id: 'list-workspace-link' }, 'Manage panels, invites and members in the Workspace.')
    )
  }
}

requireSession()
  .then(async (session) => {
    role = session.me.role
    renderSessionArea(byId('session'), session)
    applyRole()
    specs = await listSpecs()
    render()
  })
  .catch((error: unknown) => {
    status.textContent = 'Could not load the specs.'
    showError(error)
  })
