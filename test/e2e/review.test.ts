/**
 * Browser end-to-end tests of review on the real service: a team member decides on a customer's
 * idea and the customer's "My ideas" shows it live; a deleted customer paragraph shows as a
 * removal to the facilitator and the customer, and the facilitator restores it; the review panel
 * as a bottom sheet at 375 px; and the review panel from the keyboard alone. Axe runs on every
 * page; screenshots go to SHOTS_DIR (test/helpers/browser.ts).
 */
import { describe, expect, test } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import type { Service } from '../../server/service.js'
import { schema } from '../../shared/schema.js'
import { signInAs, type SignedIn } from '../helpers/auth.js'
import { expectAccessible, openEditor, poll, screenshot, signedInPage, waitForStatus } from '../helpers/browser.js'
import { connectClient, synced } from '../helpers/clients.js'
import { editPm, pmDoc, writePm } from '../helpers/pm-edit.js'
import { createSpec, startTestService } from '../helpers/server.js'
import { caretAtEndOfBlock, caretInTitle, expectBlocks, selectToLineStart, setConnected } from './editor-page.js'

/** The title block, whatever it holds (the spec's title or nothing yet). */
const TITLE = expect.any(String) as unknown

/** Contributions reach the panel after the server's debounced pass: wait longer than for UI. */
const LIVE = { timeout: 20_000 }

/** The review (or My ideas) list item showing `text`. */
const itemWith = (page: Page, text: string): Locator => page.locator('#side-panel [data-contribution-id]', { hasText: text })

/** The removal row showing `text`. */
const removalWith = (page: Page, text: string): Locator => page.locator('#side-panel .removal', { hasText: text })

/** Types `text` as a new paragraph right after the title. */
const typeIdea = async (page: Page, text: string): Promise<void> => {
  await caretInTitle(page)
  await page.keyboard.press('ArrowDown')
  await page.keyboard.type(text)
}

/**
 * Writes `ideas` as paragraphs (the first into the new spec's empty one), one Node client per
 * customer (in order), so pages open on a spec that already holds customer contributions.
 */
const writeIdeas = async (service: Service, specId: string, ideas: Array<[SignedIn, string]>): Promise<void> => {
  for (const [who, text] of ideas) {
    const client = connectClient(service, specId, { token: who.wsToken(specId) })
    await synced(client)
    const doc = pmDoc(client.doc)
    let empty = -1
    doc.forEach((node, offset) => {
      if (empty < 0 && node.type.name === 'paragraph' && node.content.size === 0) empty = offset
    })
    if (doc.childCount === 0) {
      writePm(client.doc, schema.node('doc', null, [schema.node('title'), schema.node('paragraph', null, [schema.text(text)])]))
    } else if (empty >= 0) {
      editPm(client.doc, (tr) => tr.insert(empty + 1, schema.text(text)))
    } else {
      editPm(client.doc, (tr) => tr.insert(tr.doc.content.size, schema.node('paragraph', null, [schema.text(text)])))
    }
    await poll(() => client.lastAck, LIVE).toBeGreaterThan(0)
    client.destroy()
  }
}

/** Presses Tab until `selector` has the focus (at most `max` times). */
const tabTo = async (page: Page, selector: string, max = 40): Promise<void> => {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return
    await page.keyboard.press('Tab')
  }
  throw new Error(`Tab never reached ${selector}`)
}

/** True if the page scrolls sideways. */
const overflowsX = (page: Page): Promise<boolean> =>
  page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth)

describe('review in the browser', () => {
  test('a team member accepts an idea with a note; the customer sees it live in My ideas', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'Field app')
    const carla = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName: 'Carla Customer' })
    const tom = await signInAs(service, 'team', { displayName: 'Tom Team' })
    const [customer, team] = await Promise.all([openEditor(service, spec, carla), openEditor(service, spec, tom)])
    await Promise.all([waitForStatus(customer, 'saved'), waitForStatus(team, 'saved')])

    const idea = 'Offline mode for field teams'
    await typeIdea(customer, idea)
    await expectBlocks(team, [TITLE, idea])

    // The customer's My ideas lists it, undecided.
    await customer.locator('#my-ideas-toggle').click()
    const mine = itemWith(customer, idea)
    await poll(() => mine.locator('.decision-badge').textContent(), LIVE).toBe('New')
    await expectAccessible(customer, 'My ideas')
    await customer.keyboard.press('Escape')
    expect(await customer.locator('#side-panel').isHidden()).toBe(true)

    // The team reviews it.
    await team.locator('#review-toggle').click()
    const item = itemWith(team, idea)
    await item.waitFor(LIVE)
    expect(await item.locator('.review-contributor').textContent()).toBe('Carla Customer')
    await poll(() => item.locator('.review-share').textContent()).toBe('100% customer share')
    await expectAccessible(team, 'the review panel')
    await screenshot(team, 'review-panel-1280')
    const note = 'Planned for the next release, thanks!'
    await item.locator('select[data-field=state]').selectOption('accepted')
    await item.locator('textarea[data-field=note]').fill(note)
    await item.locator('[data-action=save-decision]').click()
    await poll(() => item.locator('.decision-badge').textContent()).toBe('Accepted')
    expect(await team.locator('.review-count[data-state=accepted] .review-count-n').textContent()).toBe('1')

    // The customer gets a badge at once, then the decision and note in My ideas, without a reload.
    const toggle = customer.locator('#my-ideas-toggle')
    await poll(() => toggle.locator('.count-badge').textContent(), LIVE).toBe('1')
    expect(await toggle.textContent()).toContain('1 unread answer')
    const list = await customer.context().newPage()
    await list.goto(service.url + '/')
    await poll(() => list.locator(`[data-spec-id="${spec}"] .unread-badge`).textContent()).toBe('1 unread answer')
    await expectAccessible(list, 'the spec list with an unread answer')
    await list.close()
    await toggle.click()
    await poll(() => mine.locator('.decision-badge').textContent()).toBe('Accepted')
    expect(await mine.locator('.review-note').textContent()).toContain(note)
    // Seen while open: the badge goes.
    await poll(() => toggle.locator('.count-badge').count()).toBe(0)
    await expectAccessible(customer, 'My ideas with an answer')
    await screenshot(customer, 'my-ideas-1280')

    // A later change shows live while the view is open.
    await item.locator('select[data-field=state]').selectOption('planned')
    await item.locator('[data-action=save-decision]').click()
    await poll(() => mine.locator('.decision-badge').textContent(), LIVE).toBe('Planned')

    // A decision made while the customer was offline shows once they reconnect.
    await setConnected(customer, false)
    await item.locator('select[data-field=state]').selectOption('declined')
    await item.locator('[data-action=save-decision]').click()
    await poll(() => item.locator('.decision-badge').textContent()).toBe('Declined')
    expect(await mine.locator('.decision-badge').textContent()).toBe('Planned')
    await setConnected(customer, true)
    await poll(() => mine.locator('.decision-badge').textContent(), LIVE).toBe('Declined')

    // My ideas on a phone: a sheet that fits.
    await customer.setViewportSize({ width: 375, height: 740 })
    await poll(() => customer.locator('#side-panel').getAttribute('class')).toContain('is-sheet')
    expect(await overflowsX(customer)).toBe(false)
    await expectAccessible(customer, 'My ideas at 375 px')
    await screenshot(customer, 'my-ideas-375')
  })

  test('a deleted customer paragraph shows as a removal, and the facilitator restores it', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'Removals')
    const carla = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName: 'Carla Customer' })
    const tom = await signInAs(service, 'team', { displayName: 'Tom Team' })
    const fay = await signInAs(service, 'facilitator', { displayName: 'Fay Facilitator' })
    const idea = 'Export to spreadsheets'
    await writeIdeas(service, spec, [[carla, idea]])
    const [customer, team, facilitator] = await Promise.all([
      openEditor(service, spec, carla),
      openEditor(service, spec, tom),
      openEditor(service, spec, fay)
    ])
    await expectBlocks(team, [TITLE, idea])

    await caretAtEndOfBlock(team, idea)
    await selectToLineStart(team, idea)
    await team.keyboard.press('Backspace')
    await expectBlocks(customer, [TITLE, ''])

    await facilitator.locator('#review-toggle').click()
    const removal = removalWith(facilitator, idea)
    await removal.waitFor(LIVE)
    expect(await removal.locator('.removal-meta').textContent()).toMatch(/Written by\s*Carla Customer, removed by\s*Tom Team/)
    expect(await removal.locator('.removal-status').textContent()).toContain('Removed')
    expect(await facilitator.locator('#side-panel .review-item .review-removed').textContent()).toBe('1 open removal')
    await customer.locator('#my-ideas-toggle').click()
    const seen = removalWith(customer, idea)
    await seen.waitFor(LIVE)
    expect(await seen.locator('[data-action=restore]').count()).toBe(0)
    await expectAccessible(facilitator, 'the review panel with a removal')
    // The facilitator's switch makes decisions visible to customers.
    const visible = facilitator.locator('#decisions-public')
    expect(await visible.isChecked()).toBe(false)
    await visible.check()
    await poll(async () => (await (await fay.fetch(`/api/specs/${spec}/review-settings`)).json()) as unknown).toMatchObject({ decisionsPublic: true })
    expect(await visible.isChecked()).toBe(true)
    await expectAccessible(customer, 'My ideas with a removal')
    await removal.scrollIntoViewIfNeeded()
    await screenshot(facilitator, 'review-removal-1280')

    await removal.locator('[data-action=restore]').click()
    // Back where it was, in every editor.
    for (const page of [facilitator, customer, team]) await expectBlocks(page, [TITLE, idea], LIVE.timeout)
    await poll(() => removal.locator('.removal-status').textContent(), LIVE).toContain('Restored by Fay Facilitator')
    await poll(() => seen.locator('.removal-status').textContent(), LIVE).toContain('Restored')
    // Focus moved to the row's status, not lost with the button.
    expect(await facilitator.evaluate(() => document.activeElement?.classList.contains('removal-status'))).toBe(true)
  })

  test('at 375 px the review panel is a bottom sheet that fits and closes with Escape', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'Phone')
    const carla = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName: 'Carla Customer' })
    await writeIdeas(service, spec, [[carla, 'A much longer idea that has to wrap on a narrow phone screen without scrolling sideways']])
    const tom = await signInAs(service, 'team', { displayName: 'Tom Team' })
    const { page } = await signedInPage(service, tom, { viewport: { width: 375, height: 740 } })
    await openEditor(service, spec, tom, page)

    const toggle = page.locator('#review-toggle')
    await toggle.click()
    const panel = page.locator('#side-panel')
    expect(await panel.getAttribute('class')).toContain('is-sheet')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('side-panel-title')
    expect(await page.locator('#main').evaluate((el) => (el as HTMLElement).inert)).toBe(true)
    const item = page.locator('#side-panel [data-contribution-id]').first()
    await item.waitFor(LIVE)
    const box = await panel.boundingBox()
    expect(box && box.x >= 0 && box.x + box.width <= 375).toBe(true)
    expect(await overflowsX(page)).toBe(false)
    expect(await item.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true)
    await expectAccessible(page, 'the review sheet at 375 px')
    await screenshot(page, 'review-sheet-375')

    // Usable: decide from the sheet.
    await item.locator('select[data-field=state]').selectOption('under_discussion')
    await item.locator('[data-action=save-decision]').click()
    await poll(() => item.locator('.decision-badge').textContent()).toBe('Under discussion')

    await page.keyboard.press('Escape')
    expect(await panel.isHidden()).toBe(true)
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('review-toggle')
    expect(await page.locator('#main').evaluate((el) => (el as HTMLElement).inert)).toBe(false)

    // Selecting an item closes the sheet and shows the words.
    await toggle.click()
    await item.locator('[data-action=select]').click()
    expect(await panel.isHidden()).toBe(true)
    await poll(() => page.locator('#editor .review-highlight').count()).toBeGreaterThan(0)
    await screenshot(page, 'review-sheet-375-selected')
  })

  test('the review panel works from the keyboard: filter, select, decide', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'Keyboard')
    const carla = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName: 'Carla Customer' })
    const dan = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName: 'Dan Customer' })
    const filler = Array.from({ length: 30 }, (_, i) => `Filler paragraph ${i + 1}`)
    const first = 'Dark mode for the dashboard'
    const last = 'Single sign-on with our identity provider'
    await writeIdeas(service, spec, [[carla, first], ...filler.map((t): [SignedIn, string] => [carla, t]), [dan, last]])
    const team = await openEditor(service, spec, 'Tom Team')

    await team.locator('#review-toggle').focus()
    await team.keyboard.press('Enter')
    expect(await team.evaluate(() => document.activeElement?.id)).toBe('side-panel-title')
    await team.locator('#side-panel [data-contribution-id]', { hasText: last }).waitFor(LIVE)

    // Filter by participant: Dan.
    await tabTo(team, '#review-filter-participant')
    const options = await team.locator('#review-filter-participant option').allTextContents()
    expect(options).toEqual(['Everyone', 'Carla Customer (31)', 'Dan Customer (1)'])
    await team.keyboard.press('ArrowDown')
    await team.keyboard.press('ArrowDown')
    await poll(() => team.locator('#side-panel .review-item').count()).toBe(1)
    expect(await team.locator('.review-summary').textContent()).toContain('Showing 1 of')

    // Select Dan's idea with Enter: the editor scrolls to it and highlights it.
    await tabTo(team, '.review-item [data-action=select]')
    await team.keyboard.press('Enter')
    await poll(() => team.locator('#editor .review-highlight').allTextContents()).toEqual([last])
    await poll(() =>
      team.locator('#editor .review-highlight').evaluate((el) => {
        const r = el.getBoundingClientRect()
        return r.top >= 0 && r.bottom <= window.innerHeight
      })
    ).toBe(true)
    expect(await team.locator('.review-item [data-action=select]').getAttribute('aria-current')).toBe('true')
    await screenshot(team, 'review-keyboard-selected-1280')

    // Decide: Planned, with a note, saved with Enter on the button.
    await tabTo(team, '.review-item select[data-field=state]')
    await team.keyboard.press('ArrowDown')
    await team.keyboard.press('ArrowDown')
    await team.keyboard.press('ArrowDown')
    await tabTo(team, '.review-item textarea[data-field=note]')
    await team.keyboard.type('In the Q3 plan')
    await tabTo(team, '.review-item [data-action=save-decision]')
    await team.keyboard.press('Enter')
    const item = team.locator('#side-panel .review-item', { hasText: last })
    await poll(() => item.locator('.decision-badge').textContent()).toBe('Planned')
    expect(await item.locator('.review-note').textContent()).toContain('In the Q3 plan')
    // Focus stayed in the item through the live re-render.
    expect(await team.evaluate(() => document.activeElement?.closest('.review-item') !== null)).toBe(true)
    await expectAccessible(team, 'the review panel after a keyboard decision')

    await team.keyboard.press('Escape')
    expect(await team.evaluate(() => document.activeElement?.id)).toBe('review-toggle')
  })
})
