/**
 * Workspace › Panels › Invite links: create a link (label, role, expiry, maximum uses), copy the
 * new link, list links with their label, uses and expiry, revoke one, or create a new link like
 * an existing one (the server keeps only a link's hash, so a link is never shown twice).
 *
 * Controls carry `[data-action]` (`create-invite`, `revoke-invite`, `copy-invite`) and fields
 * `[data-field]` (`invite-label`, `invite-role`, `invite-expiry`, `invite-max-uses`). The newest
 * link is shown in `#invite-url` with `#invite-url-copy`.
 */
import { MAX_INVITE_LABEL } from '../../../shared/api-identity.js'
import { createInvite, listInvites, revokeInvite, type Invite, type InviteOptions, type Panel } from '../../api/workspace.js'
import { copyBox } from '../../ui/copy-box.js'
import { h } from '../../ui/dom.js'
import { roleBadge, roleLabel } from '../../ui/roles.js'
import { absoluteUrl, actionButton, formatTime, type WorkspaceContext } from './context.js'
import { focusIn, panelItem, run } from './panel-dom.js'

const EXPIRY_CHOICES: [string, string][] = [
  ['24', '1 day'],
  ['168', '7 days'],
  ['720', '30 days'],
  ['8760', '1 year']
]

const HOUR_MS = 3_600_000

/** "customer link "Berlin workshop"" — how buttons name a link to assistive tech. */
const describe = (invite: Invite): string => `${roleLabel(invite.role).toLowerCase()} link${invite.label ? ` “${invite.label}”` : ''}`

/** The options that make a new link like `invite`: same role, label, maximum uses and validity. */
export const likeInvite = (invite: Invite): InviteOptions => {
  const hours = Math.round((Date.parse(invite.expiresAt) - Date.parse(invite.createdAt)) / HOUR_MS)
  return {
    role: invite.role === 'viewer' ? 'viewer' : 'customer',
    ...(hours > 0 ? { expiresInHours: Math.min(hours, 8760) } : {}),
    ...(invite.maxUses !== null ? { maxUses: invite.maxUses } : {}),
    ...(invite.label ? { label: invite.label } : {})
  }
}

/** Creates a link for `panel`, shows it in the panel's copy box (focused) and re-lists the links. */
const createAndShow = async (ctx: WorkspaceContext, panel: Panel, options: InviteOptions): Promise<void> => {
  const created = await createInvite(panel.id, options)
  // One link on display at a time: the ids stay unique for tests and assistive tech.
  document.getElementById('invite-url')?.closest('.copy-box')?.remove()
  const box = copyBox({
    id: 'invite-url',
    label: `Invite link for ${panel.name} (${roleLabel(created.invite.role)}${created.invite.label ? `, ${created.invite.label}` : ''})`,
    value: absoluteUrl(created.url),
    note: 'Send this link to the panel members. Anyone with it can join until it expires, is used up or revoked.'
  })
  panelItem(panel.id)?.querySelector('[data-slot="invite-result"]')?.replaceChildren(box.element)
  await renderInvites(ctx, panel)
  box.button.focus()
}

const STATUS_LABELS: Record<Invite['status'], string> = {
  active: 'Active',
  expired: 'Expired',
  revoked: 'Revoked',
  used_up: 'Used up'
}

const inviteStatus = (invite: Invite): string => {
  if (invite.status in STATUS_LABELS) return STATUS_LABELS[invite.status]
  if (invite.revokedAt) return 'Revoked'
  if (invite.expiresAt && Date.parse(invite.expiresAt) <= Date.now()) return 'Expired'
  if (invite.maxUses !== null && invite.uses >= invite.maxUses) return 'Used up'
  return 'Active'
}

const inviteRow = (ctx: WorkspaceContext, panel: Panel, invite: Invite): HTMLLIElement => {
  const status = inviteStatus(invite)
  const uses = invite.maxUses === null ? `${invite.uses} uses (no limit)` : `${invite.uses} of ${invite.maxUses} uses`
  const expired = Date.parse(invite.expiresAt) <= Date.now()
  const expiry = `${expired ? 'expired' : 'expires'} ${formatTime(invite.expiresAt)}`
  const li = h(
    'li',
    { className: 'ws-row', dataset: { inviteId: invite.id, status: status.toLowerCase().replace(' ', '-') } },
    h(
      'div',
      { className: 'ws-row-main' },
      h(
        'p',
        { className: 'ws-row-title-plain' },
        ...(invite.label ? [h('span', { className: 'invite-label' }, invite.label), ' '] : []),
        roleBadge(invite.role),
        ' ',
        h('span', { className: 'invite-state' }, status)
      ),
      h('p', { className: 'ws-row-meta' }, `${uses} · ${expiry}`)
    )
  )
  // Only the hash of a link is stored, so it can't be shown again: offer a fresh one like it.
  const again = actionButton('copy-invite', 'New link like this', `New link like this: ${describe(invite)}`)
  again.addEventListener('click', () => {
    void run(ctx, async () => {
      await createAndShow(ctx, panel, likeInvite(invite))
      return 'New invite link created, with the same role, label, uses and validity.'
    })
  })
  const actions = h('div', { className: 'ws-row-actions' }, again)
  li.append(actions)
  if (status === 'Active') {
    const revoke = actionButton('revoke-invite', 'Revoke', `Revoke ${roleLabel(invite.role).toLowerCase()} link of ${panel.name}`, 'danger-quiet')
    revoke.addEventListener('click', () => {
      void run(ctx, async () => {
        await revokeInvite(invite.id)
        await renderInvites(ctx, panel)
        focusIn(panel.id, '[data-action="create-invite"]')
        return 'Invite link revoked. It no longer lets anyone join.'
      })
    })
    actions.append(revoke)
  }
  return li
}

/** Re-reads and shows the invite links of `panel`. */
export const renderInvites = async (ctx: WorkspaceContext, panel: Panel): Promise<void> => {
  const container = panelItem(panel.id)?.querySelector<HTMLElement>('[data-list="invites"]')
  if (!container) return
  const invites = await listInvites(panel.id)
  container.replaceChildren(
    ...(invites.length === 0
      ? [h('li', { className: 'ws-empty' }, 'No invite links yet.')]
      : invites.map((invite) => inviteRow(ctx, panel, invite)))
  )
}

/** The "invite links" block: creation form, newest link, list. */
export const invitesBlock = (ctx: WorkspaceContext, panel: Panel): HTMLElement => {
  const p = `panel-${panel.id}`
  const role = h(
    'select',
    { id: `${p}-invite-role`, name: 'role', dataset: { field: 'invite-role' } },
    h('option', { value: 'customer', selected: true }, 'Customer (can edit)'),
    h('option', { value: 'viewer' }, 'Viewer (read only)')
  )
  const expiry = h(
    'select',
    { id: `${p}-invite-expiry`, name: 'expiresInHours', dataset: { field: 'invite-expiry' } },
    ...EXPIRY_CHOICES.map(([value, label]) => h('option', { value, selected: value === '168' }, label))
  )
  const maxUses = h('input', {
    id: `${p}-invite-max-uses`,
    name: 'maxUses',
    type: 'number',
    min: '1',
    max: '10000',
    step: '1',
    placeholder: 'No limit',
    dataset: { field: 'invite-max-uses' }
  })
  const label = h('input', {
    id: `${p}-invite-label`,
    name: 'label',
    type: 'text',
    maxLength: MAX_INVITE_LABEL,
    placeholder: 'e.g. Berlin workshop, Tuesday',
    autocomplete: 'off',
    dataset: { field: 'invite-label' }
  })
  const create = actionButton('create-invite', 'Create invite link', 'Create invite link', 'primary')
  create.type = 'submit'
  const result = h('div', { className: 'invite-result', dataset: { slot: 'invite-result' } })
  const form = h(
    'form',
    { className: 'ws-form ws-form-compact' },
    h('div', { className: 'field field-wide' }, h('label', { className: 'field-label', htmlFor: label.id }, 'Label (only facilitators see it)'), label),
    h('div', { className: 'field' }, h('label', { className: 'field-label', htmlFor: role.id }, 'Role'), role),
    h('div', { className: 'field' }, h('label', { className: 'field-label', htmlFor: expiry.id }, 'Expires after'), expiry),
    h('div', { className: 'field field-narrow' }, h('label', { className: 'field-label', htmlFor: maxUses.id }, 'Maximum uses'), maxUses),
    create
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const hours = Number(expiry.value)
    const uses = Number(maxUses.value)
    create.disabled = true
    void run(ctx, async () => {
      await createAndShow(ctx, panel, {
        role: role.value === 'viewer' ? 'viewer' : 'customer',
        ...(hours > 0 ? { expiresInHours: hours } : {}),
        ...(maxUses.value !== '' && uses > 0 ? { maxUses: Math.floor(uses) } : {}),
        ...(label.value.trim() !== '' ? { label: label.value.trim() } : {})
      })
      label.value = ''
      return 'Invite link created.'
    }).finally(() => {
      create.disabled = false
    })
  })
  return h(
    'div',
    { className: 'panel-block' },
    h('h4', {}, 'Invite links'),
    form,
    result,
    h('ul', { className: 'ws-list ws-list-plain', dataset: { list: 'invites' } }, h('li', { className: 'ws-empty' }, 'Loading…'))
  )
}

