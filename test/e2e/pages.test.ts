/**
 * Browser end-to-end tests of the pages themselves: the spec list flow, the not-found page,
 * accessibility (axe-core, keyboard), the 375 px phone layout, and per-person undo.
 */
import { describe, expect, test } from 'vitest'
import type { Page } from 'playwright-core'
import { createSpec, startTestService } from '../helpers/server.js'
import {
  expectAccessible,
  newContext,
  newPage,
  openEditor,
  poll,
  runAxe,
  screenshot,
  waitForStatus
} from '../helpers/browser.js'
import { caretAtEnd, caretInTitle, docJson, expectBlocks, setConnected } from './editor-page.js'

const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }

const focusedCommand = (page: Page): Promise<string | null> =>
  page.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.dataset.command ?? null : null))

/**
 * The page's scroll width and layout-viewport width, plus (for the failure message) visible
 * elements whose box reaches past `limit`.
 */
const horizontalExtent = (page: Page, limit: number) =>
  page.evaluate((max) => {
    const wide: string[] = []
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const box = el.getBoundingClientRect()
      if (box.width === 0 || box.height === 0 || box.right <= max + 1) continue
      wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${String(el.className)}: right=${Math.round(box.right)}`)
    }
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      wide: wide.slice(0, 10)
    }
  }, limit)

/**
 * No horizontal overflow at `width`. On a phone, content wider than the viewport also widens the
 * layout viewport (the browser zooms the page out), hence the innerWidth check.
 */
const expectNoOverflow = async (page: Page, width: number): Promise<void> => {
  const { scrollWidth, innerWidth, wide } = await horizontalExtent(page, width)
  const why = `elements reaching past ${width}px (some may be clipped):\n  ${wide.join('\n  ')}`
  expect(scrollWidth, why).toBeLessThanOrEqual(width)
  expect(innerWidth, why).toBe(width)
}

describe('spec list', () => {
  test('creates, renames, opens and deletes a spec', async () => {
    const service = await startTestService()
    const page = await newPage()
    await page.goto(service.url + '/')
    await poll(() => page.locator('#list-status').textContent()).toBe('No specs yet. Create the first one above.')
    await expectAccessible(page, 'the empty spec list')

    await page.locator('#new-spec-title').fill('Bulk export')
    await page.locator('#new-spec-submit').click()
    const created = page.locator('li[data-spec-id]', { hasText: 'Bulk export' })
    await created.waitFor()
    const id = await created.getAttribute('data-spec-id')
    if (id === null) throw new Error('the new item has no data-spec-id')
    const item = page.locator(`li[data-spec-id="${id}"]`)
    await poll(() => page.locator('#list-status').textContent()).toBe('Created “Bulk export”.')
    expect(await page.locator('#new-spec-title').inputValue()).toBe('')
    await expectAccessible(page, 'the spec list with a spec')

    await item.locator('[data-action="rename"]').click()
    await item.locator('input[name="title"]').fill('Bulk export for admins')
    await item.locator('[data-action="save-rename"]').click()
    await poll(() => item.locator('[data-action="open"]').textContent()).toBe('Bulk export for admins')
    const stored = (await (await fetch(`${service.url}/api/specs/${id}`)).json()) as { spec: { title: string } }
    expect(stored.spec.title).toBe('Bulk export for admins')

    // A fresh context has no stored display name, so the editor asks for one.
    await item.locator('[data-action="open"]').click()
    await page.waitForURL(`${service.url}/specs/${id}`)
    await page.locator('#display-name').waitFor()
    await poll(() => page.locator('#spec-title').textContent()).toBe('Bulk export for admins')
    await expectAccessible(page, 'the editor with the name dialog open')
    await page.locator('#display-name').fill('Alice')
    await page.locator('#display-name-submit').click()
    await page.locator('#display-name').waitFor({ state: 'detached' })
    await poll(() => page.locator('#presence').textContent()).toContain('Alice')

    await page.locator('a.back-link').click()
    await page.waitForURL(`${service.url}/`)
    await item.locator('[data-action="delete"]').click()
    await page.locator('#confirm-delete').waitFor()
    await expectAccessible(page, 'the delete confirmation')
    await page.locator('#confirm-delete [data-action="confirm"]').click()
    await item.waitFor({ state: 'detached' })
    await poll(() => page.locator('#list-status').textContent()).toBe('Deleted “Bulk export for admins”.')
    expect(await page.locator('#list-error').textContent()).toBe('')
    expect((await fetch(`${service.url}/api/specs/${id}`)).status).toBe(404)

    await page.reload()
    await poll(() => page.locator('#list-status').textContent()).toBe('No specs yet. Create the first one above.')
  })

  test('an unknown spec shows the not-found page', async () => {
    const service = await startTestService()
    const page = await newPage()
    await page.goto(`${service.url}/specs/no-such-spec`)
    await page.locator('main.not-found').waitFor()
    expect(await page.locator('main.not-found h1').textContent()).toBe('Spec not found')
    expect(await page.locator('#save-status').count()).toBe(0)
    expect(await page.locator('main.not-found a[href="/"]').isVisible()).toBe(true)
    await expectAccessible(page, 'the not-found page')
  })
})

describe('editor', () => {
  test('has no serious accessibility violations with content and a remote cursor', async () => {
    const service = await startTestService()
    const id = await createSpec(service, 'Accessible spec')
    const alice = await openEditor(service, id, 'Alice')
    const bob = await openEditor(service, id, 'Bob')
    await caretInTitle(alice)
    await alice.keyboard.type('Accessible spec')
    await caretAtEnd(alice)
    await alice.keyboard.type('Exports must be ')
    await alice.keyboard.press('Control+b')
    await alice.keyboard.type('fast')
    await alice.keyboard.press('Control+b')
    await alice.keyboard.type('.')
    await alice.keyboard.press('Enter')
    await alice.keyboard.type('- PDF')
    await alice.keyboard.press('Enter')
    await alice.keyboard.type('Word')
    await expectBlocks(bob, ['Accessible spec', 'Exports must be fast.', 'PDFWord'])
    await caretAtEnd(bob)
    await alice.locator('#editor .ProseMirror-yjs-cursor', { hasText: 'Bob' }).waitFor()
    await waitForStatus(alice, 'saved')
    await expectAccessible(alice, 'the editor with content')
    await screenshot(alice, 'editor-1280')
  })

  // Known bug, reported: the self avatar shows the initials "AL" but is named
  // "Ada Lovelace (you): change your display name" (client/ui/avatars.ts), so its visible text
  // is not part of its accessible name (WCAG 2.5.3 Label in Name; axe label-content-name-mismatch).
  // One-word names pass only because their initial happens to be a prefix of the name.
  // Turn this into a plain `test` once the avatar is fixed.
  test.fails('a two-word display name keeps the avatar accessible (known bug)', async () => {
    const service = await startTestService()
    const id = await createSpec(service, 'Avatar spec')
    const page = await openEditor(service, id, 'Ada Lovelace')
    await page.locator('#presence .avatar-self').waitFor()
    const violations = await runAxe(page)
    expect(violations.map((v) => v.id)).not.toContain('label-content-name-mismatch')
  })

  test('the toolbar works from the keyboard', async () => {
    const service = await startTestService()
    const id = await createSpec(service, 'Keyboard spec')
    const page = await openEditor(service, id, 'Alice')
    await caretAtEnd(page)
    await page.keyboard.type('Ship it')
    await page.keyboard.press('Shift+Home')
    const bold = page.locator('#toolbar .toolbar-button[data-command="bold"]')
    expect(await bold.getAttribute('aria-pressed')).toBe('false')

    // Tab from the start of the page until focus enters the toolbar (one tab stop).
    await page.locator('a.back-link').focus()
    for (let i = 0; i < 5; i++) {
      if (await page.evaluate(() => document.activeElement?.closest('#toolbar') != null)) break
      await page.keyboard.press('Tab')
    }
    expect(await focusedCommand(page)).not.toBeNull()
    await page.keyboard.press('Home')
    expect(await focusedCommand(page)).toBe('bold')
    await page.keyboard.press('ArrowRight')
    expect(await focusedCommand(page)).toBe('italic')
    await page.keyboard.press('ArrowLeft')
    expect(await focusedCommand(page)).toBe('bold')
    await page.keyboard.press('Enter')

    await poll(() => bold.getAttribute('aria-pressed')).toBe('true')
    const json = (await docJson(page)) as { content: Array<{ content?: unknown[] }> }
    expect(json.content[1]?.content).toEqual([{ type: 'text', marks: [{ type: 'strong' }], text: 'Ship it' }])
    // The command hands focus back to the text.
    expect(await page.evaluate(() => document.activeElement?.classList.contains('ProseMirror'))).toBe(true)
  })

  test('undo removes only your own typing', async () => {
    const service = await startTestService()
    const id = await createSpec(service, 'Undo spec')
    const alice = await openEditor(service, id, 'Alice')
    const bob = await openEditor(service, id, 'Bob')
    await caretAtEnd(alice)
    // One input event, so one undo step: typed key by key on a loaded machine, the pause after
    // a keystroke can exceed the undo manager's 500 ms capture window and split the text in two.
    await alice.keyboard.insertText('Alice draft')
    await expectBlocks(bob, ['', 'Alice draft'])
    await caretInTitle(bob)
    await bob.keyboard.type('Bob title')
    await expectBlocks(alice, ['Bob title', 'Alice draft'])

    await alice.keyboard.press('Control+z')
    await expectBlocks(alice, ['Bob title', ''])
    await expectBlocks(bob, ['Bob title', ''])
    await Promise.all([waitForStatus(alice, 'saved'), waitForStatus(bob, 'saved')])
  })
})

describe('phone layout (375 px)', () => {
  test('the spec list does not overflow', async () => {
    const service = await startTestService()
    await createSpec(service, 'A spec')
    await createSpec(service, 'A very long spec title: bulk export of every customer workspace, with audit trail')
    const page = await (await newContext(PHONE)).newPage()
    await page.goto(service.url + '/')
    await poll(() => page.locator('li[data-spec-id]').count()).toBe(2)
    await expectNoOverflow(page, 375)
    await expectAccessible(page, 'the spec list at 375 px')
    await screenshot(page, 'list-375')
  })

  test('the editor does not overflow and its toolbar is usable', async () => {
    const service = await startTestService()
    const id = await createSpec(service, 'Phone spec')
    const context = await newContext(PHONE)
    const page = await openEditor(service, id, 'Alexandra', await context.newPage())
    // The longest name a cursor label shows (40 characters).
    const bobName = 'Maximilian Wolfeschlegelstein-Hausberger'
    const bob = await openEditor(service, id, bobName)
    await caretInTitle(page)
    await page.keyboard.type('Phone spec with a rather long title that has to wrap')
    await caretAtEnd(page)
    await page.keyboard.type('Make this bold, then https://example.com/a/very/long/unbroken/path/that/must/wrap')
    await expectBlocks(bob, [
      'Phone spec with a rather long title that has to wrap',
      'Make this bold, then https://example.com/a/very/long/unbroken/path/that/must/wrap'
    ])
    await caretAtEnd(bob)
    await page.locator('#editor .ProseMirror-yjs-cursor', { hasText: bobName }).waitFor()
    await poll(() => page.locator('#presence [data-client-id]').count()).toBe(2)
    await waitForStatus(page, 'saved')

    const buttons = page.locator('#toolbar .toolbar-button')
    const count = await buttons.count()
    expect(count).toBeGreaterThan(10)
    for (let i = 0; i < count; i++) {
      const box = await buttons.nth(i).boundingBox()
      expect(box, `toolbar button ${i}`).not.toBeNull()
      if (!box) continue
      expect(box.x).toBeGreaterThanOrEqual(0)
      expect(box.x + box.width).toBeLessThanOrEqual(375)
      // Touch targets of at least 36 px (the toolbar's own minimum).
      expect(box.height).toBeGreaterThanOrEqual(36)
    }
    await expectNoOverflow(page, 375)
    await screenshot(page, 'editor-375')

    // Tapping Bold formats the selection.
    await page.locator('#editor .ProseMirror').focus()
    await page.keyboard.press('Control+End')
    await page.keyboard.press('Shift+Home')
    const bold = page.locator('#toolbar .toolbar-button[data-command="bold"]')
    await bold.tap()
    await poll(() => bold.getAttribute('aria-pressed')).toBe('true')

    // The longest status text fits too.
    await context.setOffline(true)
    await setConnected(page, false)
    await page.keyboard.press('Control+End')
    await page.keyboard.type('!')
    await waitForStatus(page, 'offline-unsaved')
    await expectNoOverflow(page, 375)
    await expectAccessible(page, 'the editor at 375 px, offline')
    await screenshot(page, 'editor-375-offline')
  })
})
