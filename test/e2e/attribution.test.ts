/**
 * Browser end-to-end tests of what people see of attribution: a customer and a team member type
 * in two contexts on the real service; the margin markers, their accessible names and hover
 * details, the highlight toggle, the "only customer ideas" filter and the keyboard route to the
 * markers all show the server's attribution.
 */
import { describe, expect, test } from 'vitest'
import type { Page } from 'playwright-core'
import { signInAs } from '../helpers/auth.js'
import { openEditor, poll, runAxe, describeViolations, waitForStatus } from '../helpers/browser.js'
import { createSpec, startTestService } from '../helpers/server.js'
import { caretAtEnd, caretAtEndOfBlock, caretBeforeEndOfBlock, caretInTitle, expectBlocks } from './editor-page.js'

/** `data-attribution-label` of every marker, in document order. */
const markerLabels = (page: Page): Promise<string[]> =>
  page.locator('#editor [data-attribution-label]').evaluateAll((els) => els.map((el) => el.getAttribute('data-attribution-label') ?? ''))

/** Accessible name of the marker of the `index`th marked block. */
const markerName = (page: Page, index: number): Promise<string | null> =>
  page.locator('#editor [data-attribution-label]').nth(index).getAttribute('aria-label')

describe('attribution in the editor', () => {
  test('customer and team see who wrote each block, with names, roles and shares', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'Offline')
    const carla = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName: 'Carla Customer' })
    const tom = await signInAs(service, 'team', { displayName: 'Tom Team' })
    const [customer, team] = await Promise.all([openEditor(service, spec, carla), openEditor(service, spec, tom)])
    await Promise.all([waitForStatus(customer, 'saved'), waitForStatus(team, 'saved')])

    const idea = 'Offline mode for field teams'
    const plan = 'Ship it in Q3'
    await caretInTitle(customer)
    await customer.keyboard.press('ArrowDown')
    await customer.keyboard.type(idea)
    await expectBlocks(team, ['Offline', idea])
    await caretAtEnd(team)
    await team.keyboard.press('Enter')
    await team.keyboard.type(plan)
    await expectBlocks(customer, ['Offline', idea, plan])

    // The title's marker first: the facilitator who created the spec wrote it.
    for (const page of [customer, team]) await poll(() => markerLabels(page)).toEqual(['team', 'customer', 'team'])
    expect(await markerName(team, 1)).toBe(
      'Customer idea: 100% customer. Contributors: Carla Customer (Customer) 100%. First written by Carla Customer.'
    )
    expect(await markerName(customer, 2)).toBe(
      'Team idea: 0% customer. Contributors: Tom Team (Team) 100%. First written by Tom Team.'
    )

    // The team adds to the customer's paragraph: mixed, the customer still wrote it first.
    const note = ' (scoped)'
    await caretAtEndOfBlock(team, idea)
    await team.keyboard.type(note)
    const share = Math.round((idea.length / (idea.length + note.length)) * 100)
    for (const page of [customer, team]) await poll(() => markerLabels(page)).toEqual(['team', 'mixed', 'team'])
    const mixed = customer.locator('#editor [data-attribution-label=mixed]')
    await expect.poll(() => mixed.textContent()).toContain(`${share}% customer`)
    expect(await mixed.getAttribute('aria-label')).toBe(
      `Mixed, ${share}% customer. Contributors: Carla Customer (Customer) ${share}%, Tom Team (Team) ${100 - share}%. First written by Carla Customer.`
    )

    // Hover shows the details; Escape dismisses them.
    await mixed.hover()
    const popover = customer.locator('#attribution-popover')
    await expect.poll(() => popover.isVisible()).toBe(true)
    const details = await popover.innerText()
    expect(details).toContain('Carla Customer')
    expect(details).toContain('Tom Team')
    expect(details).toContain(`${share}%`)
    expect(details).toContain('First written by Carla Customer (Customer).')
    await customer.keyboard.press('Escape')
    await expect.poll(() => popover.isHidden()).toBe(true)

    // Keyboard: from the caret to its block's marker and back, without typing into the spec.
    await caretAtEndOfBlock(team, plan)
    await team.keyboard.press('Control+Shift+E')
    expect(await team.evaluate(() => document.activeElement?.getAttribute('data-attribution-label'))).toBe('team')
    await team.keyboard.press('ArrowUp')
    expect(await team.evaluate(() => document.activeElement?.getAttribute('data-attribution-label'))).toBe('mixed')
    await team.keyboard.press('Escape')
    await team.keyboard.press('Escape')
    expect(await team.evaluate(() => document.activeElement?.classList.contains('ProseMirror'))).toBe(true)
    await expectBlocks(team, ['Offline', idea + note, plan])

    // Highlights by side, and the customer filter dims (not hides) the team's block.
    await customer.locator('label[for=attribution-highlight-side]').click()
    await poll(() => customer.locator('#editor .attr-run-customer').count()).toBeGreaterThan(0)
    expect(await customer.locator('#editor .attr-run-team').count()).toBeGreaterThan(0)
    await customer.locator('#attribution-customer-only').check()
    const colorOf = (index: number): Promise<string> =>
      customer.locator('#editor .ProseMirror > p').nth(index).evaluate((el) => getComputedStyle(el).color)
    expect(await colorOf(1)).toBe('rgb(93, 102, 121)')
    expect(await colorOf(0)).not.toBe('rgb(93, 102, 121)')
    expect(await customer.locator('#editor .ProseMirror > p').nth(1).isVisible()).toBe(true)

    const violations = await runAxe(customer)
    expect(violations, describeViolations(violations)).toEqual([])

    // Narrow screens: icon-only markers, no horizontal scrolling.
    await customer.setViewportSize({ width: 375, height: 800 })
    expect(await customer.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true)
    expect(await customer.locator('#editor [data-attribution-label] .attr-marker-text').first().isVisible()).toBe(false)
    // …but a mixed block keeps its customer share under the icon.
    expect(await mixed.locator('.attr-marker-short').isVisible()).toBe(true)
    expect(await mixed.locator('.attr-marker-short').textContent()).toBe(`${share}%`)
  })

  test('the popover names who moved a customer\'s words, and when', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'Moves')
    const carla = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName: 'Carla Customer' })
    const tom = await signInAs(service, 'team', { displayName: 'Tom Team' })
    const [customer, team] = await Promise.all([openEditor(service, spec, carla), openEditor(service, spec, tom)])
    await Promise.all([waitForStatus(customer, 'saved'), waitForStatus(team, 'saved')])

    const second = 'Export to PDF'
    const idea = `Offline mode. ${second}`
    await caretInTitle(customer)
    await customer.keyboard.press('ArrowDown')
    await customer.keyboard.type(idea)
    await expectBlocks(team, ['Moves', idea])
    // Tom presses Enter before "Export": the server sees its words moved into a new block.
    await caretBeforeEndOfBlock(team, 'Offline mode', second.length)
    await team.keyboard.press('Enter')
    await expectBlocks(customer, ['Moves', 'Offline mode. ', second])
    await waitForStatus(team, 'saved')

    // The accessible name says who (no time: it would go stale); the block stays the customer's.
    const moved = customer.locator('#editor [data-attribution-label]').nth(2)
    await poll(() => moved.getAttribute('aria-label')).toBe(
      'Customer idea: 100% customer. Contributors: Carla Customer (Customer) 100%. First written by Carla Customer. ' +
        'Moved or restructured by Tom Team (Team); the words stay their authors’.'
    )
    expect(await markerName(customer, 1)).not.toContain('Moved')

    // Two hours on in the customer's browser, the popover says when, relative to now.
    await customer.clock.setFixedTime(Date.now() + 2 * 3_600_000 + 60_000)
    await moved.hover()
    const popover = customer.locator('#attribution-popover')
    await expect.poll(() => popover.isVisible()).toBe(true)
    expect(await popover.getAttribute('role')).toBe('tooltip')
    expect(await popover.innerText()).toContain('Moved or restructured by Tom Team (Team), 2 hours ago; the words stay their authors’.')
    expect(await popover.innerText()).toContain('Carla Customer')
    const violations = await runAxe(customer)
    expect(violations, describeViolations(violations)).toEqual([])

    // On a phone the longer sentence wraps inside the screen.
    await customer.setViewportSize({ width: 375, height: 812 })
    await moved.hover()
    await poll(() =>
      popover.evaluate((el) => {
        const r = el.getBoundingClientRect()
        return r.width > 0 && r.left >= 0 && r.right <= document.documentElement.clientWidth
      })
    ).toBe(true)
    expect(await popover.innerText()).toContain('Tom Team (Team), 2 hours ago')
    expect(await customer.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true)
    await customer.keyboard.press('Escape')
    await expect.poll(() => popover.isHidden()).toBe(true)
  })
})
