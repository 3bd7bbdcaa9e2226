/**
 * Browser end-to-end tests of identity (issue 3): a facilitator signs in through the form, sets
 * up a customer panel in the workspace and shares its invite link; customers and viewers join
 * through that link in their own browser contexts. Who someone is, and what they may do, comes
 * from the server: names and roles on cursors and avatars, a read-only editor for viewers, and
 * a closed editor for someone removed from the panel.
 */
import { describe, expect, test } from 'vitest'
import type { Page } from 'playwright-core'
import { eventually } from '../helpers/eventually.js'
import { facilitatorOf, signInAs, TEST_PASSWORD } from '../helpers/auth.js'
import { createSpec, startTestService } from '../helpers/server.js'
import { expectAccessible, newContext, newPage, openEditor, poll, waitForEditor, waitForStatus } from '../helpers/browser.js'
import { avatars, blockTexts, caretAtEnd, expectBlocks, expectCursor, pageMe, storedBlocks, typeTitle } from './editor-page.js'
import { createInviteLink, createPanel } from './workspace-api.js'

/** Opens an invite link in a fresh context, joins as `name` and waits for the spec's editor. */
async function joinThroughInvite(url: string, name: string, specId: string, joinLabel: string): Promise<Page> {
  const page = await newPage()
  await page.goto(url)
  await page.locator('#invite-form').waitFor()
  expect(await page.locator('#invite-submit').textContent()).toBe(joinLabel)
  await page.locator('#invite-name').fill(name)
  await page.locator('#invite-submit').click()
  // One spec in the panel: the invitee lands straight in it.
  await page.waitForURL(new URL(`/specs/${specId}`, url).href)
  await waitForEditor(page)
  return page
}

describe('identity in the browser', () => {
  test('a facilitator invites a customer panel; the customer joins, types and is seen; removal closes their editor', async () => {
    const service = await startTestService()
    const facilitator = await signInAs(service, 'facilitator', { displayName: 'Fran Facilitator' })

    // Sign in through the form, then go to the workspace from the header.
    const facilitatorContext = await newContext()
    const workspace = await facilitatorContext.newPage()
    await workspace.goto(service.url + '/signin')
    await workspace.locator('#signin-email').fill(facilitator.email!)
    await workspace.locator('#signin-password').fill(TEST_PASSWORD)
    await workspace.locator('#signin-submit').click()
    await workspace.waitForURL(service.url + '/')
    await workspace.locator('#workspace-link').click()
    await workspace.waitForURL(service.url + '/workspace')
    await poll(() => workspace.locator('#workspace-status').textContent()).toBe('0 specs · 0 panels')

    // A spec, a panel invited to it, and a customer invite link.
    await workspace.locator('#ws-spec-title').fill('Checkout redesign')
    await workspace.locator('#ws-spec-create').click()
    const specRow = workspace.locator('#ws-spec-list li[data-spec-id]', { hasText: 'Checkout redesign' })
    await specRow.waitFor()
    const specId = (await specRow.getAttribute('data-spec-id'))!

    await workspace.locator('#panel-name').fill('Pilot customers')
    await workspace.locator('#panel-description').fill('Admins of our five pilot accounts')
    await workspace.locator('#panel-create').click()
    const card = workspace.locator('#panel-list li[data-panel-id]', { hasText: 'Pilot customers' })
    await card.waitFor()
    const panelId = (await card.getAttribute('data-panel-id'))!
    await card.locator('[data-field="spec"]').selectOption(specId)
    await card.locator('[data-action="invite-to-spec"]').click()
    await card.locator(`[data-list="specs"] li[data-spec-id="${specId}"]`).waitFor()
    await poll(() => workspace.locator('#workspace-status').textContent()).toBe('Pilot customers is invited to “Checkout redesign”.')

    await card.locator('[data-field="invite-role"]').selectOption('customer')
    await card.locator('[data-action="create-invite"]').click()
    await workspace.locator('#invite-url').waitFor()
    const inviteUrl = (await workspace.locator('#invite-url').textContent())!.trim()
    expect(inviteUrl).toMatch(new RegExp(`^${service.url}/invite/[^/]+$`))
    expect(await workspace.locator('#workspace-error').textContent()).toBe('')

    // The facilitator opens the spec in a second tab.
    const facilitatorEditor = await facilitatorContext.newPage()
    await facilitatorEditor.goto(`${service.url}/specs/${specId}`)
    await waitForEditor(facilitatorEditor)
    await waitForStatus(facilitatorEditor, 'saved')

    // The customer opens the link in another browser, gives a name, joins and types.
    const customer = await joinThroughInvite(inviteUrl, 'Cleo Customer', specId, 'Join as customer')
    await poll(() => customer.locator('#session-who').textContent()).toBe('Signed in as Cleo Customer Customer')
    expect(await pageMe(customer)).toMatchObject({ displayName: 'Cleo Customer', role: 'customer' })
    expect(await customer.locator('#view-only').isHidden()).toBe(true)
    await caretAtEnd(customer)
    await customer.keyboard.type('Customers need CSV exports.')
    await waitForStatus(customer, 'saved')

    // The facilitator sees the customer's text and named cursor, labelled Customer.
    await expectBlocks(facilitatorEditor, ['Checkout redesign', 'Customers need CSV exports.'])
    await expectCursor(facilitatorEditor, 'Cleo Customer', 'Customer')
    await poll(() => avatars(facilitatorEditor).count()).toBe(2)
    expect(await facilitatorEditor.locator('#presence .avatar[data-role="customer"]').count()).toBe(1)
    await poll(() => facilitatorEditor.locator('#presence ul').textContent()).toContain('Cleo Customer, Customer')
    // …and the customer sees the facilitator, labelled Facilitator.
    await typeTitle(facilitatorEditor, 'Export')
    await expectBlocks(customer, ['Export', 'Customers need CSV exports.'])
    await expectCursor(customer, 'Fran Facilitator', 'Facilitator')
    expect(await storedBlocks(service, specId)).toEqual(['Export', 'Customers need CSV exports.'])

    // Removing the customer from the panel closes their editor at once and says why.
    await workspace.reload()
    const member = workspace.locator(`#panel-list li[data-panel-id="${panelId}"] [data-member-id]`, { hasText: 'Cleo Customer' })
    await member.waitFor()
    await member.locator('[data-action="remove-member"]').click()
    await workspace.locator('#confirm-remove-member [data-action="confirm"]').click()
    const removedAt = Date.now()
    await customer
      .locator('#access-notice', { hasText: 'Your access to this spec was removed.' })
      .waitFor({ timeout: 5_000 })
    const seconds = (Date.now() - removedAt) / 1000
    expect(seconds, 'notice shown within a few seconds of the removal').toBeLessThan(5)
    expect(await customer.locator('#editor .ProseMirror').getAttribute('contenteditable')).toBe('false')
    expect(await customer.locator('#toolbar').isHidden()).toBe(true)
    await poll(() => workspace.locator('#workspace-status').textContent()).toBe('Removed Cleo Customer from Pilot customers.')
    await poll(() => avatars(facilitatorEditor).count()).toBe(1)
    await expectAccessible(customer, 'the editor after access was removed')

    // Typing after removal reaches nobody: the server holds no socket of the customer any more
    // (the only route a change could take), so the stored spec cannot have changed.
    const cleo = (await pageMe(customer)).participantId
    await customer.locator('#editor .ProseMirror').press('End')
    await customer.keyboard.type('Still here?')
    expect([...service.sync.connections].filter((c) => c.participantId === cleo && !c.isClosed)).toEqual([])
    expect(await storedBlocks(service, specId)).toEqual(['Export', 'Customers need CSV exports.'])
  })

  test('a viewer who joins through a link gets a read-only editor; nothing they do reaches the server', async () => {
    const service = await startTestService()
    const specId = await createSpec(service, 'Pricing page')
    const panel = await createPanel(service, 'Observers', [specId])
    const link = await createInviteLink(service, panel, 'viewer')
    const facilitator = await openEditor(service, specId, await facilitatorOf(service))
    await typeTitle(facilitator, 'Pricing')
    await caretAtEnd(facilitator)
    await facilitator.keyboard.type('Three plans.')
    const original = ['Pricing', 'Three plans.']
    await waitForStatus(facilitator, 'saved')

    const viewer = await joinThroughInvite(link.url, 'Vera Viewer', specId, 'Join as viewer')
    await expectBlocks(viewer, original)
    expect(await viewer.locator('#view-only').isVisible()).toBe(true)
    // Viewers may comment: their toolbar holds only the Comment button (test/e2e/threads.test.ts).
    expect(await viewer.locator('#toolbar .toolbar-button:visible').evaluateAll((els) => els.map((el) => el.getAttribute('data-command')))).toEqual([
      'comment'
    ])
    const content = viewer.locator('#editor .ProseMirror')
    expect(await content.getAttribute('contenteditable')).toBe('false')
    expect(await content.getAttribute('aria-readonly')).toBe('true')
    await expectCursor(viewer, 'Test facilitator', 'Facilitator')
    await poll(() => facilitator.locator('#presence .avatar[data-role="viewer"]').count()).toBe(1)
    await expectAccessible(viewer, 'the editor in view-only mode')

    // Keys do nothing.
    await content.click()
    await viewer.keyboard.press('Control+End')
    await viewer.keyboard.type('Viewer was here')
    await viewer.keyboard.press('Enter')
    await viewer.keyboard.press('Backspace')
    expect(await blockTexts(viewer)).toEqual(original)

    // Even a change made behind the editor's back (straight through ProseMirror) is refused by
    // the server: never stored, never sent to anyone.
    await viewer.evaluate(() => {
      const view = window.valence!.view
      view.dispatch(view.state.tr.insertText('Forged by a viewer. ', view.state.doc.content.size - 1))
    })
    await poll(() => blockTexts(viewer)).not.toEqual(original)
    // The server counts every update-bearing frame of a connection once it handled it (refused
    // ones too): once the viewer's connection has counted a frame beyond its empty initial step 2,
    // the forged change went through the server's check, so the stored spec shows its effect.
    const viewerId = (await pageMe(viewer)).participantId
    await eventually(() => {
      const conns = [...service.sync.connections].filter((c) => c.participantId === viewerId)
      expect(conns.some((c) => c.updatesReceived >= 2)).toBe(true)
    })
    expect(await storedBlocks(service, specId)).toEqual(original)
    expect(await blockTexts(facilitator)).toEqual(original)

    // The viewer still follows along live.
    await caretAtEnd(facilitator)
    await facilitator.keyboard.type(' Annual billing saves 20%.')
    await expectBlocks(viewer, ['Pricing', expect.stringContaining('Annual billing saves 20%.')])
    await waitForStatus(facilitator, 'saved')
    expect(await storedBlocks(service, specId)).toEqual(['Pricing', 'Three plans. Annual billing saves 20%.'])
  })
})
