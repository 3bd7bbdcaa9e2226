/**
 * Workspace › Specs: create, rename (dialog), delete (confirmation), and which panels are
 * invited to each spec. Rows are `#ws-spec-list li[data-spec-id]` with `[data-action]` buttons.
 */
import { createSpec, deleteSpec, renameSpec, specUrl, type Spec } from '../../api/specs.js'
import { askText, confirmAction } from '../../ui/dialog.js'
import { byId, h } from '../../ui/dom.js'
import { actionButton, formatDate, type WorkspaceContext } from './context.js'

const list = (): HTMLUListElement => byId<HTMLUListElement>('ws-spec-list')

const focusRow = (id: string, action: string): void => {
  list().querySelector<HTMLElement>(`[data-spec-id="${CSS.escape(id)}"] [data-action="${action}"]`)?.focus()
}

const row = (ctx: WorkspaceContext, spec: Spec): HTMLLIElement => {
  const title = spec.title || 'Untitled spec'
  const panels = ctx.panels.filter((p) => p.specIds.includes(spec.id))
  const invited =
    panels.length === 0
      ? h('span', { className: 'muted' }, 'No panel invited')
      : h('span', {}, 'Panels: ', panels.map((p) => p.name).join(', '))
  const rename = actionButton('rename', 'Rename', `Rename “${title}”`)
  const remove = actionButton('delete', 'Delete', `Delete “${title}”`, 'danger-quiet')
  rename.addEventListener('click', () => {
    void askText({
      id: 'rename-dialog',
      title: 'Rename spec',
      label: 'Title',
      inputId: 'rename-title',
      submitId: 'rename-submit',
      submitLabel: 'Save title',
      value: spec.title,
      cancellable: true,
      maxLength: 200
    }).then(async (next) => {
      if (next === null || next === spec.title) return focusRow(spec.id, 'rename')
      try {
        await renameSpec(spec.id, next)
        await ctx.refresh()
        ctx.announce(`Renamed to “${next}”.`)
      } catch (error) {
        ctx.fail(error)
      }
      focusRow(spec.id, 'rename')
    })
  })
  remove.addEventListener('click', () => {
    void confirmAction({
      id: 'confirm-delete',
      title: 'Delete this spec?',
      message: `“${title}” will be removed for everyone who works on it, including invited panels.`,
      confirmLabel: 'Delete spec',
      danger: true
    }).then(async (ok) => {
      if (!ok) return focusRow(spec.id, 'delete')
      try {
        await deleteSpec(spec.id)
        await ctx.refresh()
        ctx.announce(`Deleted “${title}”.`)
        byId('ws-spec-title').focus()
      } catch (error) {
        ctx.fail(error)
      }
    })
  })
  return h(
    'li',
    { className: 'ws-row', dataset: { specId: spec.id } },
    h(
      'div',
      { className: 'ws-row-main' },
      h('a', { className: 'ws-row-title', href: specUrl(spec.id), dataset: { action: 'open' } }, title),
      h('p', { className: 'ws-row-meta' }, invited, ' · Created ', formatDate(spec.createdAt))
    ),
    h('div', { className: 'ws-row-actions' }, rename, remove)
  )
}

/** Renders the spec list from `ctx.specs` and `ctx.panels`. */
export const renderSpecs = (ctx: WorkspaceContext): void => {
  const specs = [...ctx.specs].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
  list().replaceChildren(
    ...(specs.length === 0 ? [h('li', { className: 'ws-empty' }, 'No specs yet. Create the first one above.')] : specs.map((s) => row(ctx, s)))
  )
}

/** Wires the create form. */
export const setupSpecs = (ctx: WorkspaceContext): void => {
  const form = byId<HTMLFormElement>('ws-spec-form')
  const input = byId<HTMLInputElement>('ws-spec-title')
  const submit = byId<HTMLButtonElement>('ws-spec-create')
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const title = input.value.trim()
    if (title === '') return
    submit.disabled = true
    createSpec(title)
      .then(async (spec) => {
        input.value = ''
        await ctx.refresh()
        ctx.announce(`Created “${spec.title}”.`)
        focusRow(spec.id, 'open')
      })
      .catch((error: unknown) => ctx.fail(error))
      .finally(() => {
        submit.disabled = false
      })
  })
}
