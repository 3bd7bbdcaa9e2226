/**
 * The first hour of a new user (issue 9), item by item, in the browser: what a facilitator, a
 * team member and a customer see when they start, with axe on each page touched.
 */
import { describe, expect, test } from 'vitest'
import { facilitatorOf, signInAs } from '../helpers/auth.js'
import { createSpec, startTestService } from '../helpers/server.js'
import { expectAccessible, openEditor, poll, signedInPage, waitForStatus } from '../helpers/browser.js'
import { caretAtEnd } from './editor-page.js'
import { createPanel } from './workspace-api.js'

describe('first hour', () => {
  test('the spec list says who edited a spec last, and when', async () => {
    const service = await startTestService({ editActivityMs: 20 })
    const spec = await createSpec(service, 'Onboarding ideas')
    const carla = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName: 'Carla Customer' })
    const team = await signInAs(service, 'team', { displayName: 'Tess Team' })
    const { page: list } = await signedInPage(service, team)
    await list.goto(service.url + '/')
    const meta = list.locator(`li[data-spec-id="${spec}"] .spec-meta`)
    await poll(() => meta.textContent()).toMatch(/^Updated /)

    const editor = await openEditor(service, spec, carla)
    await caretAtEnd(editor)
    await editor.keyboard.type('A checklist for the first week')
    await waitForStatus(editor, 'saved')
    await poll(
      async () => {
        await list.reload()
        return meta.textContent()
      },
      { timeout: 15_000 }
    ).toMatch(/^Edited by Carla Customer, (just now|\d+ seconds? ago)/)
    expect(await meta.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/)
    await expectAccessible(list, 'the spec list naming the last editor')
  })

  test('invite links carry a label, and a new link like an old one keeps its settings', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'Workshop spec')
    const panel = await createPanel(service, 'Berlin customers', [spec])
    const { page } = await signedInPage(service, await facilitatorOf(service))
    await page.goto(service.url + '/workspace')
    const card = page.locator(`#panel-list li[data-panel-id="${panel}"]`)
    await card.locator('[data-field="invite-label"]').waitFor()
    await card.locator('[data-field="invite-label"]').fill('Berlin workshop, Tuesday')
    await card.locator('[data-field="invite-role"]').selectOption('viewer')
    await card.locator('[data-field="invite-max-uses"]').fill('12')
    await card.locator('[data-action="create-invite"]').click()
    await poll(() => page.locator('#invite-url').textContent()).toMatch(new RegExp(`^${service.url}/invite/[^/]+$`))
    const first = (await page.locator('#invite-url').textContent())!.trim()
    const rows = card.locator('[data-invite-id]')
    await poll(() => rows.count()).toBe(1)
    expect(await rows.first().locator('.invite-label').textContent()).toBe('Berlin workshop, Tuesday')
    // The label field is cleared for the next link.
    expect(await card.locator('[data-field="invite-label"]').inputValue()).toBe('')
    await expectAccessible(page, 'the workspace with a labelled invite link')

    await rows.first().locator('[data-action="copy-invite"]').click()
    await poll(() => rows.count()).toBe(2)
    await poll(() => page.locator('#invite-url').textContent()).not.toBe(first)
    const second = (await page.locator('#invite-url').textContent())!.trim()
    expect(second).toMatch(new RegExp(`^${service.url}/invite/[^/]+$`))
    expect(await rows.locator('.invite-label').allTextContents()).toEqual(['Berlin workshop, Tuesday', 'Berlin workshop, Tuesday'])
    expect(await rows.locator('.ws-row-meta').allTextContents()).toEqual([expect.stringContaining('0 of 12 uses'), expect.stringContaining('0 of 12 uses')])
    // Focus lands on the new link's Copy button, and both links are viewer links.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('invite-url-copy')
    const listed = (await (await page.request.get(`${service.url}/api/panels/${panel}/invites`)).json()) as { invites: Array<{ role: string; label: string; expiresAt: string; createdAt: string }> }
    expect(listed.invites.map((i) => [i.role, i.label])).toEqual([
      ['viewer', 'Berlin workshop, Tuesday'],
      ['viewer', 'Berlin workshop, Tuesday']
    ])
  })
})
