/**
 * Workspace › Members: invite a team member (shows the sign-up link once, `#signup-url`), change
 * a member's role (`select[data-action="change-role"]`), deactivate (`[data-action="deactivate-member"]`).
 * Rows are `#member-list li[data-member-id]`.
 */
import { ROLES, type Role } from '../../../shared/permissions.js'
import { changeMemberRole, deactivateMember, inviteMember, listMembers, type Member } from '../../api/workspace.js'
import { copyBox } from '../../ui/copy-box.js'
import { confirmAction } from '../../ui/dialog.js'
import { byId, h } from '../../ui/dom.js'
import { ROLE_LABELS, roleBadge } from '../../ui/roles.js'
import { absoluteUrl, actionButton, formatDate, type WorkspaceContext } from './context.js'

const list = (): HTMLUListElement => byId<HTMLUListElement>('member-list')

const focusRow = (id: string, selector: string): void => {
  list().querySelector<HTMLElement>(`[data-member-id="${CSS.escape(id)}"] ${selector}`)?.focus()
}

const row = (ctx: WorkspaceContext, member: Member): HTMLLIElement => {
  const isMe = member.participantId === ctx.me.participantId
  const deactivated = member.deactivatedAt !== null
  const name = member.displayName || member.email || 'Unnamed'
  const title = h('p', { className: 'ws-row-title-plain' }, name, isMe ? ' (you)' : '', ' ')
  const actions = h('div', { className: 'ws-row-actions' })
  if (deactivated) {
    title.append(h('span', { className: 'tag tag-muted' }, 'Deactivated'))
  } else if (isMe) {
    title.append(roleBadge(member.role))
  } else {
    const selectId = `member-${member.participantId}-role`
    const select = h(
      'select',
      { id: selectId, dataset: { action: 'change-role' } },
      ...ROLES.map((role) => h('option', { value: role, selected: role === member.role }, ROLE_LABELS[role]))
    )
    select.addEventListener('change', () => {
      const next = select.value as Role
      select.disabled = true
      changeMemberRole(member.participantId, next)
        .then(async () => {
          await ctx.refresh()
          ctx.announce(`${name} is now ${ROLE_LABELS[next]}.`)
          focusRow(member.participantId, '[data-action="change-role"]')
        })
        .catch((error: unknown) => {
          select.value = member.role
          select.disabled = false
          ctx.fail(error)
        })
    })
    const deactivate = actionButton('deactivate-member', 'Deactivate', `Deactivate ${name}`, 'danger-quiet')
    deactivate.addEventListener('click', () => {
      void confirmAction({
        id: 'confirm-deactivate',
        title: `Deactivate ${name}?`,
        message: `${name} is signed out everywhere and can no longer open any spec. What they wrote stays.`,
        confirmLabel: 'Deactivate',
        danger: true
      }).then(async (ok) => {
        if (!ok) return focusRow(member.participantId, '[data-action="deactivate-member"]')
        try {
          await deactivateMember(member.participantId)
          await ctx.refresh()
          ctx.announce(`Deactivated ${name}.`)
          byId('member-name').focus()
        } catch (error) {
          ctx.fail(error)
        }
      })
    })
    actions.append(
      h('label', { className: 'visually-hidden', htmlFor: selectId }, `Role of ${name}`),
      select,
      deactivate
    )
  }
  return h(
    'li',
    { className: deactivated ? 'ws-row is-deactivated' : 'ws-row', dataset: { memberId: member.participantId, role: member.role } },
    h(
      'div',
      { className: 'ws-row-main' },
      title,
      h('p', { className: 'ws-row-meta' }, [member.email, `since ${formatDate(member.createdAt)}`].filter(Boolean).join(' · '))
    ),
    actions
  )
}

/** Loads and renders the member list. */
export const renderMembers = async (ctx: WorkspaceContext): Promise<void> => {
  const members = await listMembers()
  members.sort((a, b) => Number(a.deactivatedAt !== null) - Number(b.deactivatedAt !== null) || a.displayName.localeCompare(b.displayName))
  list().replaceChildren(...members.map((m) => row(ctx, m)))
}

/** Wires the invite form. */
export const setupMembers = (ctx: WorkspaceContext): void => {
  const form = byId<HTMLFormElement>('member-form')
  const name = byId<HTMLInputElement>('member-name')
  const email = byId<HTMLInputElement>('member-email')
  const role = byId<HTMLSelectElement>('member-role')
  const submit = byId<HTMLButtonElement>('member-invite')
  const result = byId('member-invite-result')
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    submit.disabled = true
    const displayName = name.value.trim()
    inviteMember(email.value.trim(), displayName, role.value === 'facilitator' ? 'facilitator' : 'team')
      .then(async ({ url }) => {
        const box = copyBox({
          id: 'signup-url',
          label: `Sign-up link for ${displayName}`,
          value: absoluteUrl(url),
          note: 'Send this link to them; it lets them choose a password. It is shown only now.'
        })
        result.replaceChildren(box.element)
        name.value = ''
        email.value = ''
        await renderMembers(ctx)
        ctx.announce(`Invited ${displayName}.`)
        box.button.focus()
      })
      .catch((error: unknown) => ctx.fail(error))
      .finally(() => {
        submit.disabled = false
      })
  })
}
