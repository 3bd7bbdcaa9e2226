/**
 * Browser end-to-end tests of threads on the real service: a thread from the keyboard alone
 * (start it, see it live in another browser, reply, see the reply live); a customer cannot
 * resolve a team member's thread (no button, and the API refuses); deleting the anchored text
 * shows "Text removed" with the quote to everyone; a viewer can comment (pointer, or keyboard
 * alone); a conversation started on a customer's idea in the review panel shows in the
 * customer's "My ideas"; threads started while someone was offline show after they reconnect.
 * Axe runs on every page; screenshots at 1280 and 375 px go to SHOTS_DIR (test/helpers/browser.ts).
 */
import { describe, expect, test } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import type { Service } from '../../server/service.js'
import type { ThreadsResponse } from '../../shared/api-threads.js'
import { schema } from '../../shared/schema.js'
import { signInAs, type SignedIn } from '../helpers/auth.js'
import { expectAccessible, openEditor, poll, screenshot, waitForStatus } from '../helpers/browser.js'
import { connectClient, synced } from '../helpers/clients.js'
import { pmDoc, writePm } from '../helpers/pm-edit.js'
import { createSpec, startTestService } from '../helpers/server.js'
import { caretAtEnd, caretInTitle, expectBlocks, selectToLineStart, setConnected, storedBlocks } from './editor-page.js'

/** Threads reach other browsers through a review event and a re-read: allow for both. */
const LIVE = { timeout: 15_000 }

/** Any title: a new spec's title block may hold its name. */
const TITLE: unknown = expect.any(String)

/** Makes the spec its title and `paragraphs`, as `who` from a Node client. */
const writeSpec = async (service: Service, specId: string, who: SignedIn, paragraphs: string[]): Promise<void> => {
  const client = connectClient(service, specId, { token: who.wsToken(specId) })
  await synced(client)
  // Over whatever the spec holds after its title (a new spec may have an empty paragraph).
  const title = pmDoc(client.doc).firstChild ?? schema.node('title')
  const blocks = paragraphs.map((text) => schema.node('paragraph', null, [schema.text(text)]))
  writePm(client.doc, schema.node('doc', null, [title, ...blocks]))
  await poll(() => storedBlocks(service, specId), LIVE).toEqual([TITLE, ...paragraphs])
  client.destroy()
}

/** The thread (in the Comments list) quoting `text`. */
const threadWith = (page: Page, text: string): Locator => page.locator('#side-panel .thread', { hasText: text })

/** Id of the element with the focus. */
const focusedId = (page: Page): Promise<string> => page.evaluate(() => document.activeElement?.id ?? '')

/** Selects the last paragraph (`text`) from the keyboard and comments `body` on it with Ctrl+Alt+M and Enter. */
const commentFromKeyboard = async (page: Page, text: string, body: string): Promise<void> => {
  await caretAtEnd(page)
  await selectToLineStart(page, text)
  await page.keyboard.press('Control+Alt+m')
  await poll(() => focusedId(page)).toBe('thread-composer-input')
  await page.keyboard.type(body)
  await page.keyboard.press('Enter')
  await poll(() => page.locator('.thread-composer').isHidden()).toBe(true)
}

/** Opens the Comments tab of the side panel from its header button (keyboard). */
const openComments = async (page: Page): Promise<void> => {
  if (await page.locator('#side-view-threads').isVisible()) return
  await page.locator('#threads-toggle').focus()
  await page.keyboard.press('Enter')
  await page.locator('#side-view-threads').waitFor()
}

/** The threads of `specId` as `who` reads them over HTTP. */
const threadsOver = async (who: SignedIn, specId: string): Promise<ThreadsResponse['threads']> => {
  const res = await who.fetch(`/api/specs/${specId}/threads`)
  expect(res.status).toBe(200)
  return ((await res.json()) as ThreadsResponse).threads
}

/** A spec with one paragraph, open for a team member and a customer. */
const twoPeople = async (idea: string) => {
  const service = await startTestService()
  const spec = await createSpec(service, 'Field app')
  const tom = await signInAs(service, 'team', { displayName: 'Tom Team' })
  const carla = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName: 'Carla Customer' })
  await writeSpec(service, spec, tom, [idea])
  const [team, customer] = await Promise.all([openEditor(service, spec, tom), openEditor(service, spec, carla)])
  await Promise.all([expectBlocks(team, [TITLE, idea]), expectBlocks(customer, [TITLE, idea])])
  await Promise.all([waitForStatus(team, 'saved'), waitForStatus(customer, 'saved')])
  return { service, spec, tom, carla, team, customer }
}

describe('threads in the browser', () => {
  test('a thread works from the keyboard, live for both people', async () => {
    const idea = 'Offline mode for field teams'
    const { team, customer } = await twoPeople(idea)

    // Tom selects the paragraph with the keyboard and comments with Ctrl+Alt+M.
    await caretAtEnd(team)
    await selectToLineStart(team, idea)
    await team.keyboard.press('Control+Alt+m')
    await poll(() => focusedId(team)).toBe('thread-composer-input')
    expect(await team.locator('.thread-composer .thread-quote').textContent()).toBe(idea)
    await expectAccessible(team, 'the comment composer')
    await screenshot(team, 'threads-composer-1280')
    await team.keyboard.type('Which devices need it?')
    await team.keyboard.press('Enter')
    await poll(() => team.locator('.thread-composer').isHidden()).toBe(true)
    expect(await team.evaluate(() => document.activeElement?.classList.contains('ProseMirror'))).toBe(true)
    await poll(() => team.locator('#editor .thread-anchor').textContent()).toBe(idea)
    await poll(() => team.locator('#threads-announcer').textContent()).toBe('Comment posted.')

    // Carla sees it live: highlighted text and the count on the Comments button.
    await poll(() => customer.locator('#editor .thread-anchor').textContent(), LIVE).toBe(idea)
    await poll(() => customer.locator('#threads-toggle .threads-toggle-count').textContent()).toBe('1')

    // From the keyboard: caret into the highlighted text, Ctrl+Alt+M opens the thread's reply box.
    await caretInTitle(customer)
    await customer.keyboard.press('ArrowDown')
    await customer.keyboard.press('ArrowRight')
    await poll(() => customer.locator('#threads-announcer').textContent()).toBe('Commented text, 1 comment. Ctrl+Alt+M opens the thread.')
    await customer.keyboard.press('Control+Alt+m')
    await poll(() => focusedId(customer)).toMatch(/^thread-t[\w-]+-reply$/)
    const thread = threadWith(customer, idea)
    expect(await thread.locator('.thread-comment').first().innerText()).toContain('Which devices need it?')
    expect(await thread.locator('.thread-comment').first().innerText()).toContain('Tom Team')
    await customer.keyboard.type('Tablets, mostly.')
    await customer.keyboard.press('Enter')
    await poll(() => thread.locator('.thread-comment').count()).toBe(2)
    expect(await focusedId(customer)).toMatch(/-reply$/)
    await poll(() => customer.locator('#threads-announcer').textContent()).toBe('Reply posted.')
    await expectAccessible(customer, 'the customer with the thread open')

    // Tom sees the reply live, announced politely.
    await openComments(team)
    const teamThread = threadWith(team, idea)
    await poll(() => teamThread.locator('.thread-comment').count(), LIVE).toBe(2)
    const reply = await teamThread.locator('.thread-comment').nth(1).innerText()
    expect(reply).toContain('Carla Customer')
    expect(reply).toContain('Customer')
    expect(reply).toContain('Tablets, mostly.')
    await poll(() => team.locator('#threads-announcer').textContent()).toContain('New reply from Carla Customer')
    await expectAccessible(team, 'the team member with the Comments panel')
    await screenshot(team, 'threads-panel-1280')

    // Resolve and Reopen from the keyboard: the thread moves in the list, focus stays on its button.
    const focusedAction = (): Promise<string | null> => team.evaluate(() => document.activeElement?.getAttribute('data-action') ?? null)
    await teamThread.locator('[data-action=resolve]').focus()
    await team.keyboard.press('Enter')
    await poll(focusedAction).toBe('reopen')
    await team.keyboard.press('Enter')
    await poll(focusedAction).toBe('resolve')

    await customer.setViewportSize({ width: 375, height: 800 })
    await poll(() => customer.locator('#side-panel').evaluate((el) => el.classList.contains('is-sheet'))).toBe(true)
    await expectAccessible(customer, 'the Comments sheet at 375 px')
    await screenshot(customer, 'threads-sheet-375')
  })

  test('a customer cannot resolve a team member’s thread: no button, and the API refuses', async () => {
    const idea = 'Export to CSV'
    const { spec, carla, team, customer } = await twoPeople(idea)
    await commentFromKeyboard(team, idea, 'Is CSV enough?')

    await openComments(customer)
    const thread = threadWith(customer, idea)
    await poll(() => thread.count(), LIVE).toBe(1)
    expect(await thread.locator('[data-action=resolve]').count()).toBe(0)
    await expectAccessible(customer, 'a team thread for a customer')

    const [before] = await threadsOver(carla, spec)
    expect(before?.status).toBe('open')
    const refused = await carla.fetch(`/api/specs/${spec}/threads/${before!.id}/resolve`, { method: 'POST', body: {} })
    expect(refused.status).toBe(403)
    expect((await threadsOver(carla, spec))[0]?.status).toBe('open')

    // Tom may: he resolves it, and Carla's list shows it resolved, live.
    await openComments(team)
    await threadWith(team, idea).locator('[data-action=resolve]').click()
    await poll(() => thread.getAttribute('data-status'), LIVE).toBe('resolved')
    expect(await thread.locator('[data-action=reopen]').count()).toBe(0)
    await poll(() => customer.locator('#editor .thread-anchor').count()).toBe(0)
    // Choosing the resolved thread in the list still shows its text.
    await thread.locator('.thread-show').click()
    await poll(() => customer.locator('#editor .thread-anchor.is-active').textContent()).toBe(idea)
  })

  test('deleting the anchored text shows “Text removed” with the quote to both people', async () => {
    const idea = 'Dark mode for night shifts'
    const { team, customer } = await twoPeople(idea)
    await commentFromKeyboard(team, idea, 'Who asked for this?')
    await poll(() => customer.locator('#editor .thread-anchor').count(), LIVE).toBe(1)
    await openComments(team)
    // Clicking commented text shows its thread and leaves the caret in the text.
    await customer.locator('#editor .thread-anchor').click()
    await customer.locator('#side-view-threads').waitFor()
    await poll(() => threadWith(customer, idea).evaluate((el) => el.classList.contains('is-active'))).toBe(true)
    expect(await customer.evaluate(() => document.activeElement?.classList.contains('ProseMirror'))).toBe(true)

    // Carla deletes the paragraph's text.
    await caretAtEnd(customer)
    await selectToLineStart(customer, idea)
    await customer.keyboard.press('Backspace')
    await expectBlocks(team, [TITLE, ''])

    for (const page of [team, customer]) {
      const thread = page.locator('#side-panel .thread').first()
      await poll(() => thread.locator('.thread-removed-badge').textContent(), LIVE).toBe('Text removed')
      expect(await thread.locator('.thread-quote-text').textContent()).toBe(idea)
      expect(await page.locator('#editor .thread-anchor').count()).toBe(0)
      await expectAccessible(page, 'a thread whose text was removed')
    }
    await screenshot(team, 'threads-text-removed-1280')
  })

  test('a viewer can comment', async () => {
    const idea = 'Barcode scanning'
    const service = await startTestService()
    const spec = await createSpec(service, 'Warehouse')
    const tom = await signInAs(service, 'team', { displayName: 'Tom Team' })
    const vera = await signInAs(service, 'viewer', { panelSpecIds: [spec], displayName: 'Vera Viewer' })
    await writeSpec(service, spec, tom, [idea])
    const [team, viewer] = await Promise.all([openEditor(service, spec, tom), openEditor(service, spec, vera)])
    await expectBlocks(viewer, [TITLE, idea])

    // The viewer's toolbar holds only Comment, enabled once some text is selected.
    const comment = viewer.locator('#toolbar [data-command=comment]')
    expect(await viewer.locator('#toolbar .toolbar-button:visible').count()).toBe(1)
    expect(await comment.isDisabled()).toBe(true)
    await viewer.locator('#editor .ProseMirror > p').first().selectText()
    await poll(() => comment.isEnabled()).toBe(true)
    await comment.click()
    await poll(() => focusedId(viewer)).toBe('thread-composer-input')
    await viewer.keyboard.type('Which scanners?')
    await expectAccessible(viewer, 'the composer of a viewer')
    await viewer.locator('.thread-composer button[type=submit]').click()
    await poll(() => viewer.locator('.thread-composer').isHidden()).toBe(true)
    await poll(() => viewer.locator('#editor .thread-anchor').textContent()).toBe(idea)

    await openComments(team)
    const thread = threadWith(team, idea)
    await poll(() => thread.locator('.thread-comment').count(), LIVE).toBe(1)
    const opening = await thread.locator('.thread-comment').innerText()
    expect(opening).toContain('Vera Viewer')
    expect(opening).toContain('Viewer')
    expect(opening).toContain('Which scanners?')

    await viewer.setViewportSize({ width: 375, height: 800 })
    await viewer.locator('#editor .ProseMirror > p').first().selectText()
    await comment.click()
    await poll(() => focusedId(viewer)).toBe('thread-composer-input')
    await expectAccessible(viewer, 'the composer sheet at 375 px')
    await screenshot(viewer, 'threads-viewer-composer-375')
    await viewer.keyboard.press('Escape')
    await poll(() => viewer.locator('.thread-composer').isHidden()).toBe(true)

    // From the keyboard alone: the read-only text is a tab stop, End selects the last block and
    // Ctrl+Shift+ArrowLeft gives back its last word.
    await viewer.setViewportSize({ width: 1280, height: 800 })
    await viewer.locator('#editor .ProseMirror').focus()
    await viewer.keyboard.press('End')
    await viewer.keyboard.press('Control+Shift+ArrowLeft')
    await poll(() => viewer.evaluate(() => document.getSelection()?.toString())).toBe('Barcode ')
    await viewer.keyboard.press('Control+Alt+m')
    await poll(() => focusedId(viewer)).toBe('thread-composer-input')
    expect(await viewer.locator('.thread-composer .thread-quote').textContent()).toBe('Barcode ')
    await viewer.keyboard.type('Which brands?')
    await viewer.keyboard.press('Enter')
    await poll(() => viewer.locator('.thread-composer').isHidden()).toBe(true)
    expect(await viewer.evaluate(() => document.activeElement?.classList.contains('ProseMirror'))).toBe(true)
    await poll(() => team.locator('#side-panel .thread').count(), LIVE).toBe(2)
    expect(await threadWith(team, 'Which brands?').locator('.thread-quote-text').textContent()).toBe('Barcode ')
  })

  test('a conversation on a customer’s idea, from the review panel to My ideas', async () => {
    const idea = 'Sync photos on wifi only'
    const service = await startTestService()
    const spec = await createSpec(service, 'Field app')
    const tom = await signInAs(service, 'team', { displayName: 'Tom Team' })
    const carla = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName: 'Carla Customer' })
    await writeSpec(service, spec, carla, [idea])
    const [team, customer] = await Promise.all([openEditor(service, spec, tom), openEditor(service, spec, carla)])
    await expectBlocks(team, [TITLE, idea])

    await team.locator('#review-toggle').click()
    const item = team.locator('#side-panel [data-contribution-id]', { hasText: idea })
    await item.waitFor({ timeout: LIVE.timeout })
    await item.locator('.review-thread summary').click()
    const start = item.getByLabel('Comment on this idea')
    await start.fill('Planned for the next release.')
    await start.press('Enter')
    await poll(() => item.locator('.thread-comment').count(), LIVE).toBe(1)
    await poll(() => team.locator('#editor .thread-anchor').textContent()).toBe(idea)

    await customer.locator('#my-ideas-toggle').click()
    const mine = customer.locator('#side-panel [data-contribution-id]', { hasText: idea })
    await poll(() => mine.locator('.thread-comment').count(), LIVE).toBe(1)
    expect(await mine.locator('.thread-comment').innerText()).toContain('Planned for the next release.')
    await expectAccessible(customer, 'My ideas with a conversation')
    await screenshot(customer, 'threads-my-ideas-1280')
  })

  test('threads started while someone was offline show once they reconnect', async () => {
    const idea = 'Offline queue for uploads'
    const { team, customer } = await twoPeople(idea)
    await setConnected(customer, false)
    await commentFromKeyboard(team, idea, 'Started while Carla was away')
    await setConnected(customer, true)
    await poll(() => customer.locator('#editor .thread-anchor').textContent(), LIVE).toBe(idea)
    await openComments(customer)
    expect(await threadWith(customer, idea).innerText()).toContain('Started while Carla was away')
  })
})
