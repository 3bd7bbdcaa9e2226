/**
 * Merging participants in the Workspace (issue 9 item 3): a customer rejoined through the invite
 * link as a second "Carla"; the facilitator picks her newer identity, "Merge into…" the first,
 * reads a confirmation naming both and what moves, and confirms. The panel then lists one Carla
 * and the merge record, the server has recorded it, and her words are credited to the first
 * identity. At 375 px the Workspace and the merge dialogs fit the screen; axe checks each step.
 */
import { describe, expect, test } from 'vitest'
import { fetchAs, facilitatorOf } from '../helpers/auth.js'
import { connectClient, synced } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { bodyStart, editPm } from '../helpers/pm-edit.js'
import { createSpec, startTestService } from '../helpers/server.js'
import { expectAccessible, poll, screenshot, signedInPage } from '../helpers/browser.js'
import { schema } from '../../shared/schema.js'
import type { Service } from '../../server/service.js'
import { expectNoOverflow, PHONE } from './layout.js'
import { createInviteLink, createPanel } from './workspace-api.js'

/** Joins through the invite link as `name` (a fresh browser: a new participant); returns its id and ws token getter. */
async function join(service: Service, inviteUrl: string, name: string): Promise<{ id: string; wsToken: (spec: string) => Promise<string> }> {
  const token = inviteUrl.split('/invite/')[1]!
  const res = await fetchAs(service, null, 'POST', `/api/invites/${token}/accept`, { displayName: name })
  expect(res.status).toBe(201)
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('valence_session='))!.split(';')[0]!
  const session = { cookie, csrfToken: res.body.csrfToken as string }
  return {
    id: res.body.me.participantId as string,
    wsToken: async (spec) => (await fetchAs(service, session, 'POST', '/api/auth/ws-token', { specId: spec })).body.token as string
  }
}

describe('merging participants in the Workspace', () => {
  test('a facilitator merges a customer who rejoined into her first identity', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'Checkout redesign')
    const panel = await createPanel(service, 'Pilot', [spec])
    const invite = await createInviteLink(service, panel, 'customer')
    const first = await join(service, invite.url, 'Carla')
    const again = await join(service, invite.url, 'Carla')
    const dana = await join(service, invite.url, 'Dana')
    // The second Carla wrote something: after the merge it is the first Carla's.
    const writer = connectClient(service, spec, { token: await again.wsToken(spec) })
    await synced(writer)
    editPm(writer.doc, (tr) => tr.insert(bodyStart(tr.doc), schema.nodes.paragraph.create(null, schema.text('One-page checkout please'))))
    await eventually(() => expect(writer.tracker.current.status).toBe('saved'))

    const { page } = await signedInPage(service, await facilitatorOf(service), { viewport: { width: 1280, height: 800 } })
    await page.goto(service.url + '/workspace')
    const card = page.locator(`#panel-list li[data-panel-id="${panel}"]`)
    const row = (id: string) => card.locator(`[data-member-id="${id}"]`)
    await row(again.id).waitFor()
    await poll(() => card.locator('[data-list="merges"] li').textContent()).toContain('No merges')
    await expectAccessible(page, 'the Workspace with a panel of three members')

    // Merge into… the first Carla, told apart by her joining time.
    await row(again.id).locator('[data-action="merge-member"]').click()
    const dialog = page.locator('#merge-dialog')
    await dialog.waitFor()
    expect(await page.locator('#merge-into option').allTextContents()).toEqual([
      expect.stringMatching(/^Carla \(customer, joined .+\)$/),
      expect.stringMatching(/^Dana \(customer, joined .+\)$/)
    ])
    await expectAccessible(page, 'the merge dialog')
    await page.locator('#merge-into').selectOption(first.id)
    await page.locator('#merge-next').click()
    const confirm = page.locator('#confirm-merge')
    await confirm.waitFor()
    expect(await confirm.locator('.dialog-title').textContent()).toBe('Merge Carla into Carla?')
    const message = (await confirm.locator('.dialog-description').textContent())!
    expect(message).toMatch(/credit for every word/)
    expect(message).toMatch(/signed out for good/)
    expect(message).toMatch(/cannot be undone/)
    await expectAccessible(page, 'the merge confirmation')
    await screenshot(page, 'merge-confirm-1280')
    await confirm.locator('[data-action="confirm"]').click()

    await poll(() => page.locator('#workspace-status').textContent()).toBe('Merged Carla into Carla in Pilot.')
    const record = card.locator('[data-list="merges"] li[data-merge-id]')
    await poll(() => record.textContent()).toMatch(/Carla merged into Carla\s+by Test facilitator/)
    await poll(() => card.locator('[data-member-id]').count()).toBe(2)
    expect(await row(again.id).count()).toBe(0)
    expect(await page.locator('#workspace-error').textContent()).toBe('')
    await expectAccessible(page, 'the Workspace after a merge')
    await card.scrollIntoViewIfNeeded()
    await screenshot(page, 'merge-record-1280')
    const merges = await service.storage.identity.listMerges()
    expect(merges.map((m) => [m.panelId, m.fromId, m.intoId])).toEqual([[panel, again.id, first.id]])
    const attribution = (await fetchAs(service, await facilitatorOf(service), 'GET', `/api/specs/${spec}/attribution`)).body.attribution
    const block = attribution.blocks.find((b: { excerpt: string }) => b.excerpt.includes('One-page checkout'))
    expect(block.contributors.map((c: { participantId: string }) => c.participantId)).toEqual([first.id])

    // At 375 px: the Workspace with its record, and the dialogs (opened for Dana, then cancelled).
    const phone = (await signedInPage(service, await facilitatorOf(service), PHONE)).page
    await phone.goto(service.url + '/workspace')
    const phoneCard = phone.locator(`#panel-list li[data-panel-id="${panel}"]`)
    await phoneCard.locator('[data-list="merges"] li[data-merge-id]').waitFor()
    await expectNoOverflow(phone, 375)
    await expectAccessible(phone, 'the Workspace at 375 px')
    const danaMerge = phoneCard.locator(`[data-member-id="${dana.id}"] [data-action="merge-member"]`)
    await danaMerge.click()
    await phone.locator('#merge-dialog').waitFor()
    await expectNoOverflow(phone, 375)
    await expectAccessible(phone, 'the merge dialog at 375 px')
    await screenshot(phone, 'merge-dialog-375')
    await phone.locator('#merge-next').click()
    await phone.locator('#confirm-merge').waitFor()
    await expectNoOverflow(phone, 375)
    await phone.locator('#confirm-merge [data-action="cancel"]').click()
    // Cancelled: nothing merged, focus back on the button.
    await poll(() => danaMerge.evaluate((el) => el === document.activeElement)).toBe(true)
    expect(await service.storage.identity.listMerges()).toHaveLength(1)
  })
})
