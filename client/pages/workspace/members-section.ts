/**
 * Workspace › Members: invite a team member (shows the sign-up link once, `#signup-url`), change
 * a member's role (`select[data-action="change-role"]`), deactivate (`[data-action="deactivate-member"]`)
 * and reactivate (`[data-action="reactivate-member"]`), or give them a one-time link to choose a
 * new password (`[data-action="reset-password"]`, shown once in `#signup-url`). Rows are `#member-list li[data-member-id]`;
 * sign-up links not used yet are `li[data-signup-id]` with `[data-action="withdraw-signup"]`.
 */
import {
  changeMemberRole,
  deactivateMember,
  inviteMember,
  listMembers,
  reactivateMember,
  resetMemberPassword,
  withdrawMemberInvite,
  type Member,
  type PendingMemberInvite,
  type TeamRole
} from '../../api/workspace.js'
import { copyBox } from '../../ui/copy-box.js'
import { confirmAction } from '../../ui/dialog.js'
import { byId, h } from '../../ui/dom.js'
import { ROLE_LABELS, roleBadge } from '../../ui/roles.js'
import { absoluteUrl, actionButton, formatDate, type WorkspaceContext } from './context.js'

/** Roles a team account can have. */
const TEAM_ROLES: readonly TeamRole[] = ['team', 'facilitator']

const list = (): HTMLUListElement => byId<HTMLUListElement>('member-list')

const focusRow = (id: string, selector: string): void => {
  list().querySelector<HTMLElement>(`[data-member-id="${CSS.escape(id)}"] ${selector}`)?.focus()
}

const row = (ctx: WorkspaceContext, member: Member): HTMLLIElement => {
  const isMe = member.participantId === ctx.me.participantId
  const deactivated = !member.active
  const name = member.displayName || member.email || 'Unnamed'
  const title = h('p', { className: 'ws-row-title-plain' }, name, isMe ? ' (you)' : '', ' ')
  const actions = h('div', { className: 'ws-row-actions' })
  if (deactivated) {
    title.append(roleBadge(member.role), h('span', { className: 'tag tag-muted' }, 'Deactivated'))
    const reactivate = actionButton('reactivate-member', 'Reactivate', `Reactivate ${name}`)
    reactivate.addEventListener('click', () => {
      reactivate.disabled = true
      reactivateMember(member.participantId)
        .then(async () => {
          await renderMembers(ctx)
          ctx.announce(`Reactivated ${name}.`)
          focusRow(member.participantId, '[data-action="change-role"]')
        })
        .catch((error: unknown) => {
          reactivate.disabled = false
          ctx.fail(error)
        })
    })
    actions.append(reactivate)
  } else if (isMe) {
    title.append(roleBadge(member.role))
  } else {
    const selectId = `member-${member.participantId}-role`
    const select = h(
      'select',
      { id: selectId, dataset: { action: 'change-role' } },
      ...TEAM_ROLES.map((role) => h('option', { value: role, selected: role === member.role }, ROLE_LABELS[role]))
    )
    select.addEventListener('change', () => {
      const next: TeamRole = select.value === 'facilitator' ? 'facilitator' : 'team'
      select.disabled = true
      changeMemberRole(member.participantId, next)
        .then(async () => {
          await renderMembers(ctx)
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
          await renderMembers(ctx)
          ctx.announce(`Deactivated ${name}.`)
          byId('member-name').focus()
        } catch (error) {
          ctx.fail(error)
        }
      })
    })
    const reset = actionButton('reset-password', 'Reset password', `Reset password of ${name}`)
    reset.addEventListener('click', () => {
      reset.disabled = true
      resetMemberPassword(member.participantId)
        .then(async ({ url }) => {
          const box = copyBox({
            id: 'signup-url',
            label: `Password reset link for ${name}`,
            value: absoluteUrl(url),
            note: 'Send this link to them; it lets them choose a new password once, within 7 days, and signs them out elsewhere. It is shown only now.'
          })
          byId('member-invite-result').replaceChildren(box.element)
          await renderMembers(ctx)
          ctx.announce(`Password reset link created for ${name}.`)
          box.button.focus()
        })
        .catch((error: unknown) => {
          reset.disabled = false
          ctx.fail(error)
        })
    })
    actions.append(
      h('label', { className: 'visually-hidden', htmlFor: selectId }, `Role of ${name}`),
      select,
      reset,
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

/** A sign-up link that was not used yet. */
const pendingRow = (ctx: WorkspaceContext, invite: PendingMemberInvite): HTMLLIElement => {
  const name = invite.displayName || invite.email
  const withdraw = actionButton('withdraw-signup', 'Withdraw', `Withdraw the sign-up link of ${name}`, 'danger-quiet')
  withdraw.addEventListener('click', () => {
    withdraw.disabled = true
    withdrawMemberInvite(invite.id)
      .then(async () => {
        await renderMembers(ctx)
        ctx.announce(`Withdrew the sign-up link of ${name}.`)
        byId('member-name').focus()
      })
      .catch((error: unknown) => {
        withdraw.disabled = false
        ctx.fail(error)
      })
  })
  return h(
    'li',
    { className: 'ws-row', dataset: { signupId: invite.id } },
    h(
      'div',
      { className: 'ws-row-main' },
      h(
        'p',
        { className: 'ws-row-title-plain' },
        name,
        ' ',
        roleBadge(invite.role),
        h('span', { className: 'tag tag-muted' }, invite.purpose === 'reset' ? 'Password reset sent' : 'Invited')
      ),
      h('p', { className: 'ws-row-meta' }, `${invite.email} · link expires ${formatDate(invite.expiresAt)}`)
    ),
    h('div', { className: 'ws-row-actions' }, withdraw)
  )
}

/** Loads and renders the member list (active first, then pending sign-ups, then deactivated). */
export const renderMembers = async (ctx: WorkspaceContext): Promise<void> => {
  const { members, invites } = await listMembers()
  const byName = (a: Member, b: Member): number => a.displayName.localeCompare(b.displayName)
  const pending = invites.filter((i) => i.usedAt === null && Date.parse(i.expiresAt) > Date.now())
  list().replaceChildren(
    ...members.filter((m) => m.active).sort(byName).map((m) => row(ctx, m)),
    ...pending.map((i) => pendingRow(ctx, i)),
    ...members.filter((m) => !m.active).sort(byName).map((m) => row(ctx, m))
  )
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
