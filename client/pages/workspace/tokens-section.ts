/**
 * Workspace › API tokens: create a named token with a role (its secret is shown once in
 * `#token-secret` with `#token-secret-copy`), list (`#token-list li[data-token-id]`) and delete
 * (`[data-action="delete-token"]`).
 */
import type { Role } from '../../../shared/permissions.js'
import { createToken, deleteToken, listTokens, type ApiToken } from '../../api/workspace.js'
import { copyBox } from '../../ui/copy-box.js'
import { confirmAction } from '../../ui/dialog.js'
import { byId, h } from '../../ui/dom.js'
import { isRole, roleBadge } from '../../ui/roles.js'
import { actionButton, formatDate, formatTime, type WorkspaceContext } from './context.js'

const list = (): HTMLUListElement => byId<HTMLUListElement>('token-list')

const row = (ctx: WorkspaceContext, token: ApiToken): HTMLLIElement => {
  const remove = actionButton('delete-token', 'Delete', `Delete token ${token.name}`, 'danger-quiet')
  remove.addEventListener('click', () => {
    void confirmAction({
      id: 'confirm-delete-token',
      title: `Delete token ${token.name}?`,
      message: 'Scripts using it stop working at once.',
      confirmLabel: 'Delete token',
      danger: true
    }).then(async (ok) => {
      if (!ok) {
        list().querySelector<HTMLElement>(`[data-token-id="${CSS.escape(token.id)}"] [data-action="delete-token"]`)?.focus()
        return
      }
      try {
        await deleteToken(token.id)
        await renderTokens(ctx)
        ctx.announce(`Deleted token ${token.name}.`)
        byId('token-name').focus()
      } catch (error) {
        ctx.fail(error)
      }
    })
  })
  return h(
    'li',
    { className: 'ws-row', dataset: { tokenId: token.id } },
    h(
      'div',
      { className: 'ws-row-main' },
      h('p', { className: 'ws-row-title-plain' }, token.name, ' ', roleBadge(token.role)),
      h(
        'p',
        { className: 'ws-row-meta' },
        `created ${formatDate(token.createdAt)} · ${token.lastUsedAt ? `last used ${formatTime(token.lastUsedAt)}` : 'never used'}`
      )
    ),
    h('div', { className: 'ws-row-actions' }, remove)
  )
}

/** Loads and renders the token list. */
export const renderTokens = async (ctx: WorkspaceContext): Promise<void> => {
  const tokens = await listTokens()
  list().replaceChildren(
    ...(tokens.length === 0 ? [h('li', { className: 'ws-empty' }, 'No API tokens yet.')] : tokens.map((t) => row(ctx, t)))
  )
}

/** Wires the create form. */
export const setupTokens = (ctx: WorkspaceContext): void => {
  const form = byId<HTMLFormElement>('token-form')
  const name = byId<HTMLInputElement>('token-name')
  const role = byId<HTMLSelectElement>('token-role')
  const submit = byId<HTMLButtonElement>('token-create')
  const result = byId('token-result')
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const chosen: Role = isRole(role.value) ? role.value : 'viewer'
    submit.disabled = true
    createToken(name.value.trim(), chosen)
      .then(async ({ token, secret }) => {
        const box = copyBox({
          id: 'token-secret',
          label: `Secret of token ${token.name}`,
          value: secret,
          note: 'Copy it now: it is shown only once. Send it as “Authorization: Bearer <secret>”.'
        })
        result.replaceChildren(box.element)
        name.value = ''
        await renderTokens(ctx)
        ctx.announce(`Created token ${token.name}.`)
        box.button.focus()
      })
      .catch((error: unknown) => ctx.fail(error))
      .finally(() => {
        submit.disabled = false
      })
  })
}
