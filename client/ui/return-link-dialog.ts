/**
 * The invitee's return-link dialogs (issue 9 item 3): "Your return link" in the header shows the
 * personal link in a copy box ("Save this link to come back as yourself") and lets them make a
 * new one or turn it off; signing out as an invitee first warns that the link is the way back.
 *
 * The server shows a link only once (it keeps the hash), so the link shown is the one this
 * browser remembered (client/api/return-links.ts); without one, the dialog offers to make one.
 */
import type { Principal } from '../../shared/identity.js'
import { createReturnLink, revokeReturnLink, savedReturnLink } from '../api/return-links.js'
import { copyBox } from './copy-box.js'
import { h, messageOf } from './dom.js'

const SAVE_NOTE = 'Save this link to come back as yourself. Anyone with it can write as you, so keep it to yourself.'

/** A modal `<dialog>` titled `title`, appended to the body and removed once closed. */
const modal = (id: string, title: string): { dialog: HTMLDialogElement; body: HTMLElement; actions: HTMLElement } => {
  document.getElementById(id)?.remove()
  const body = h('div', { className: 'dialog-body' })
  const actions = h('div', { className: 'dialog-actions' })
  const dialog = h('dialog', { id, className: 'dialog', attrs: { 'aria-labelledby': `${id}-title` } },
    h('div', { className: 'dialog-form' }, h('h2', { id: `${id}-title`, className: 'dialog-title' }, title), body, actions))
  dialog.addEventListener('close', () => dialog.remove(), { once: true })
  document.body.append(dialog)
  return { dialog, body, actions }
}

/** The copy box for `url`, or a button that makes a link when this browser has none. */
const linkArea = (me: Principal, area: HTMLElement, url: string | null): void => {
  const problem = h('p', { className: 'error-message', attrs: { role: 'alert' } })
  if (url) {
    area.replaceChildren(copyBox({ id: 'return-link-url', label: 'Your return link', value: url, note: SAVE_NOTE }).element, problem)
    return
  }
  const make = h('button', { type: 'button', id: 'return-link-create', className: 'button button-primary' }, 'Make my return link')
  make.addEventListener('click', () => {
    make.disabled = true
    createReturnLink(me).then(
      (fresh) => linkArea(me, area, fresh),
      (error: unknown) => {
        make.disabled = false
        problem.textContent = messageOf(error, 'Could not make a link. Please try again.')
      }
    )
  })
  area.replaceChildren(h('p', { className: 'dialog-description' }, 'This browser does not have your return link any more. Make a new one (an older link stops working).'), make, problem)
}

/** Opens "Your return link": the link in a copy box, with "Make a new link" and "Turn it off". */
export const showReturnLinkDialog = (me: Principal): void => {
  const { dialog, body, actions } = modal('return-link-dialog', 'Your return link')
  const area = h('div', {})
  linkArea(me, area, savedReturnLink(me.participantId))
  const status = h('p', { className: 'field-hint', attrs: { role: 'status' } })
  const renew = h('button', { type: 'button', id: 'return-link-renew', className: 'button button-secondary' }, 'Make a new link')
  renew.addEventListener('click', () => {
    createReturnLink(me).then(
      (url) => {
        linkArea(me, area, url)
        status.textContent = 'New link made. The old one no longer works.'
      },
      (error: unknown) => (status.textContent = messageOf(error, 'Could not make a new link.'))
    )
  })
  const revoke = h('button', { type: 'button', id: 'return-link-revoke', className: 'button button-secondary' }, 'Turn link off')
  revoke.addEventListener('click', () => {
    revokeReturnLink(me).then(
      () => {
        linkArea(me, area, null)
        status.textContent = 'Your return link no longer works.'
      },
      (error: unknown) => (status.textContent = messageOf(error, 'Could not turn the link off.'))
    )
  })
  const close = h('button', { type: 'button', id: 'return-link-close', className: 'button button-primary' }, 'Done')
  close.addEventListener('click', () => dialog.close())
  body.append(h('p', { className: 'dialog-description' }, 'You joined without a password. This link signs you back in as yourself, on this or any other device, so your words stay yours.'), area, status)
  actions.append(renew, revoke, close)
  dialog.showModal()
  close.focus()
}

/**
 * Warns an invitee before signing out, offering their return link; resolves true to sign out.
 * Cancel has the initial focus.
 */
export const confirmInviteeSignOut = (me: Principal): Promise<boolean> => {
  const { dialog, body, actions } = modal('signout-dialog', 'Before you sign out')
  const area = h('div', {})
  linkArea(me, area, savedReturnLink(me.participantId))
  body.append(h('p', { className: 'dialog-description', id: 'signout-warning' }, "You'll need your return link to come back as yourself. Opening the invite link again would make you someone new."), area)
  const cancel = h('button', { type: 'button', id: 'signout-cancel', className: 'button button-secondary' }, 'Stay signed in')
  const confirm = h('button', { type: 'button', id: 'signout-confirm', className: 'button button-danger' }, 'Sign out')
  cancel.addEventListener('click', () => dialog.close('cancel'))
  confirm.addEventListener('click', () => dialog.close('confirm'))
  actions.append(cancel, confirm)
  const result = new Promise<boolean>((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true }))
  dialog.showModal()
  cancel.focus()
  return result
}
