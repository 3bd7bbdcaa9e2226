/**
 * The editor on a phone (issue 9, item 4): at 375×812 one compact sticky bar keeps the save
 * status in sight, the toolbar is one row that scrolls sideways, the attribution bar folds
 * behind a button, and the document starts within the first third of the screen. The 1280 px
 * layout is screenshotted next to it so a change for phones is seen on desktops too.
 */
import { describe, expect, test } from 'vitest'
import { facilitatorOf, signInAs } from '../helpers/auth.js'
import { createSpec, startTestService } from '../helpers/server.js'
import { expectAccessible, newContext, openEditor, poll, screenshot, waitForStatus } from '../helpers/browser.js'
import { caretAtEnd } from './editor-page.js'
import { expectNoOverflow, PHONE } from './layout.js'

const TALL_PHONE = { ...PHONE, viewport: { width: 375, height: 812 } }

/** Whether `#save-status` is inside the viewport right now. */
const statusInView = (page: import('playwright-core').Page): Promise<boolean> =>
  page.locator('#save-status').evaluate((el) => {
    const box = el.getBoundingClientRect()
    return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight && getComputedStyle(el).visibility !== 'hidden'
  })

describe('the editor on a phone (375×812)', () => {
  test('content starts high, the save status stays in sight while typing a long spec, controls stay reachable', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'Phone spec')
    const context = await newContext(TALL_PHONE)
    const page = await openEditor(service, spec, await facilitatorOf(service), await context.newPage())
    await waitForStatus(page, 'saved')

    await screenshot(page, 'phone-editor-375')
    // The title block starts within the first third of the screen.
    const first = await page.locator('#editor .ProseMirror > :first-child').boundingBox()
    expect(first).not.toBeNull()
    expect(first!.y).toBeLessThanOrEqual(270)
    expect(await statusInView(page)).toBe(true)
    await expectNoOverflow(page, 375)
    await expectAccessible(page, 'the editor at 375×812')

    // The toolbar is one row: every button on the same line, reachable by scrolling it sideways.
    const tops = await page.locator('#toolbar .toolbar-button').evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().top)))
    expect(new Set(tops).size).toBe(1)
    const last = page.locator('#toolbar .toolbar-button').last()
    await last.scrollIntoViewIfNeeded()
    const box = await last.boundingBox()
    expect(box!.x + box!.width).toBeLessThanOrEqual(375)
    await expectNoOverflow(page, 375)

    // The attribution bar is folded behind a button that opens it.
    const summary = page.locator('#attribution-summary')
    expect(await summary.isVisible()).toBe(false)
    const toggle = page.locator('#attribution-toggle')
    expect(await toggle.getAttribute('aria-expanded')).toBe('false')
    await toggle.tap()
    await poll(() => summary.isVisible()).toBe(true)
    expect(await toggle.getAttribute('aria-expanded')).toBe('true')
    await expectNoOverflow(page, 375)
    // On a touch screen the legend says to tap a marker (there is no hover).
    expect(await page.locator('#attribution-legend').textContent()).toContain('Tap a marker for the contributors')
    await toggle.tap()
    await poll(() => summary.isVisible()).toBe(false)

    // Presence and the session controls are one tap away in the header menu.
    const menu = page.locator('#header-menu-toggle')
    expect(await page.locator('#session').isVisible()).toBe(false)
    await menu.tap()
    await poll(() => page.locator('#session').isVisible()).toBe(true)
    expect(await page.locator('#presence').isVisible()).toBe(true)
    expect(await menu.getAttribute('aria-expanded')).toBe('true')
    await expectNoOverflow(page, 375)
    await expectAccessible(page, 'the editor at 375×812 with the header menu open')
    await screenshot(page, 'phone-editor-375-menu')
    await menu.tap()
    await poll(() => page.locator('#session').isVisible()).toBe(false)

    // Typing at the bottom of a long spec: the save status stays in the viewport throughout.
    await caretAtEnd(page)
    // One insert per paragraph keeps under the server's update rate (50 a second by default).
    for (let i = 1; i <= 30; i++) {
      await page.keyboard.insertText(`Paragraph ${i} of a long spec written on a phone.`)
      await page.keyboard.press('Enter')
      if (i % 5 === 0) expect(await statusInView(page), `after paragraph ${i}`).toBe(true)
    }
    await page.keyboard.type('The end')
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(400)
    expect(await statusInView(page)).toBe(true)
    await waitForStatus(page, 'saved')
    expect(await statusInView(page)).toBe(true)
    await expectNoOverflow(page, 375)
    await page.screenshot({ path: `${process.env.VALENCE_SHOTS_DIR ?? '/tmp/valence-shots'}/phone-editor-375-typing.png` })
  })

  test('at 1280 px the editor keeps its desktop layout', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'Desktop spec')
    const page = await openEditor(service, spec, await facilitatorOf(service))
    await waitForStatus(page, 'saved')
    // No phone-only controls; the bar, presence and session are shown as before.
    expect(await page.locator('#header-menu-toggle').isVisible()).toBe(false)
    expect(await page.locator('#attribution-toggle').isVisible()).toBe(false)
    expect(await page.locator('#attribution-summary').isVisible()).toBe(true)
    expect(await page.locator('#session').isVisible()).toBe(true)
    expect(await page.locator('#attribution-legend').textContent()).toContain('Hover or focus a marker for the contributors')
    await expectAccessible(page, 'the editor at 1280 px')
    await screenshot(page, 'phone-editor-1280')
  })
  test('a customer’s welcome line still leaves the document in the first third of a phone screen', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'Phone ideas')
    const carla = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName: 'Carla Customer' })
    const page = await openEditor(service, spec, carla, await (await newContext(TALL_PHONE)).newPage())
    await poll(() => page.locator('#customer-prompt').textContent()).toBe('Add your idea anywhere, your words are credited to you')
    const first = await page.locator('#editor .ProseMirror > :first-child').boundingBox()
    expect(first!.y).toBeLessThanOrEqual(270)
    expect(await statusInView(page)).toBe(true)
    await expectNoOverflow(page, 375)
    await expectAccessible(page, 'a customer’s editor at 375×812 with the welcome line')
    await screenshot(page, 'phone-editor-375-customer')
  })
})
