/**
 * The first hour of a new user (issue 9), item by item, in the browser: what a facilitator, a
 * team member and a customer see when they start, with axe on each page touched.
 */
import { describe, expect, test } from 'vitest'
import { facilitatorOf, signInAs, TEST_PASSWORD } from '../helpers/auth.js'
import { createSpec, startTestService } from '../helpers/server.js'
import { expectAccessible, newContext, newPage, openEditor, poll, screenshot, signedInPage, waitForEditor, waitForStatus } from '../helpers/browser.js'
import { blockTexts, caretAtEnd, cursorOf, expectCursor, setConnected, storedBlocks, typeTitle } from './editor-page.js'
import { createInviteLink, createPanel } from './workspace-api.js'

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

  test('a facilitator resets a team member’s password with a one-time link that names the account', async () => {
    const service = await startTestService()
    const tess = await signInAs(service, 'team', { displayName: 'Tess Team' })
    const { page } = await signedInPage(service, await facilitatorOf(service))
    await page.goto(service.url + '/workspace')
    const row = page.locator(`#member-list li[data-member-id="${tess.principal.participantId}"]`)
    await row.locator('[data-action="reset-password"]').click()
    await poll(() => page.locator('#signup-url').textContent()).toMatch(new RegExp(`^${service.url}/signup\\?token=`))
    const link = (await page.locator('#signup-url').textContent())!.trim()
    await poll(() => page.locator('#member-list li[data-signup-id]').textContent()).toContain('Password reset sent')
    await expectAccessible(page, 'the workspace with a password reset link')

    // Tess opens it: the page says it is a reset and for which account.
    const tessPage = await newPage()
    await tessPage.goto(link)
    await poll(() => tessPage.locator('#signup-heading').textContent()).toBe('Choose a new password')
    expect(await tessPage.locator('#signup-email').inputValue()).toBe(tess.email)
    await expectAccessible(tessPage, 'the password reset page')
    await tessPage.locator('#signup-password').fill('a brand new password')
    await tessPage.locator('#signup-confirm').fill('a brand new password')
    await tessPage.locator('#signup-submit').click()
    await tessPage.waitForURL(`${service.url}/`)
    // Her old session ended; the new password works, the old one no longer does, the link is spent.
    expect((await tess.fetch('/api/auth/me')).status).toBe(401)
    const login = (password: string) =>
      fetch(`${service.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: tess.email, password }) })
    expect((await login('a brand new password')).status).toBe(200)
    expect((await login(TEST_PASSWORD)).status).toBe(401)
    await tessPage.goto(link)
    await poll(() => tessPage.locator('#signup-error').textContent()).toBe('This link is no longer valid. Ask a facilitator for a new one.')
  })

  test('the sign-up page names the email the account is for', async () => {
    const service = await startTestService()
    const facilitator = await facilitatorOf(service)
    const res = await facilitator.fetch('/api/members/invites', { method: 'POST', body: { email: 'Newt@Example.com', displayName: 'Newt', role: 'team' } })
    const { url } = (await res.json()) as { url: string }
    const page = await newPage()
    await page.goto(url)
    await poll(() => page.locator('#signup-email').inputValue()).toBe('newt@example.com')
    expect(await page.locator('#signup-heading').textContent()).toBe('Join the team')
    expect(await page.locator('#signup-lead').textContent()).toContain('as Newt')
    await expectAccessible(page, 'the sign-up page')
  })

  test('after the sign-in limit for one email, correcting the email re-enables the button', async () => {
    const service = await startTestService()
    const ada = await signInAs(service, 'team', { displayName: 'Ada' })
    const page = await newPage()
    await page.goto(service.url + '/signin')
    const submit = page.locator('#signin-submit')
    await page.locator('#signin-email').fill('ada@typo.example')
    for (let i = 0; i < 10 && !(await submit.isDisabled()); i++) {
      await page.locator('#signin-password').fill('wrong password')
      await submit.click()
      await poll(() => submit.textContent()).toBe('Sign in')
    }
    await poll(() => page.locator('#signin-error').textContent()).toMatch(/^Too many sign-in attempts/)
    expect(await submit.isDisabled()).toBe(true)
    await page.locator('#signin-email').fill(ada.email!)
    expect(await submit.isDisabled()).toBe(false)
    expect(await page.locator('#signin-error').textContent()).toBe('')
    // Back to the locked email: locked again.
    await page.locator('#signin-email').fill('ada@typo.example')
    expect(await submit.isDisabled()).toBe(true)
    await page.locator('#signin-email').fill(ada.email!)
    await page.locator('#signin-password').fill(TEST_PASSWORD)
    await submit.click()
    await page.waitForURL(`${service.url}/`)
  })

  test('each role’s spec list says what it is, and the navigation stays in one place', async () => {
    const service = await startTestService()
    await createSpec(service, 'Navigation spec')
    const team = await signInAs(service, 'team', { displayName: 'Tess Team' })
    const { page } = await signedInPage(service, team)
    await page.goto(service.url + '/')
    await poll(() => page.locator('.lead').textContent()).toMatch(/^Every spec of the workspace/)
    expect(await page.locator('.header-start .header-link[aria-current="page"]').textContent()).toBe('All specs')
    await expectAccessible(page, 'a team member’s spec list')

    const { page: facilitator } = await signedInPage(service, await facilitatorOf(service))
    for (const path of ['/', '/workspace']) {
      await facilitator.goto(service.url + path)
      await facilitator.locator('#workspace-link').waitFor()
      // The same two links in the same places on every page; the current one is marked.
      expect(await facilitator.locator('.header-start a', { hasText: 'All specs' }).count()).toBe(1)
      expect(await facilitator.locator('#workspace-link').getAttribute('aria-current')).toBe(path === '/workspace' ? 'page' : null)
    }
  })

  test('other people’s cursor labels fade after a few seconds still, and come back when they move or on hover', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'Cursor spec')
    const ada = await openEditor(service, spec, 'Ada Lovelace')
    const grace = await openEditor(service, spec, 'Grace Hopper')
    await caretAtEnd(grace)
    await grace.keyboard.type('Hello')
    await expectCursor(ada, 'Grace Hopper', 'Team')
    const label = cursorOf(ada, 'Grace Hopper').first().locator('.ProseMirror-yjs-cursor-label')
    const opacity = (): Promise<string> => label.evaluate((el) => getComputedStyle(el).opacity)
    // Shown while she types, then faded once she stops (the fade starts after 3 s).
    expect(await opacity()).toBe('1')
    await poll(opacity, { timeout: 10_000 }).toBe('0')
    expect(await label.isVisible()).toBe(false)
    // Hovering her caret shows it again.
    await cursorOf(ada, 'Grace Hopper').first().hover({ force: true })
    await poll(opacity).toBe('1')
    await ada.mouse.move(0, 0)
    // Moving or typing shows it again, with her full name (no clipping at 14 characters).
    await grace.keyboard.type(' world')
    await poll(opacity).toBe('1')
    const clipped = await cursorOf(ada, 'Grace Hopper').first().locator('.cursor-name').evaluate((el) => el.scrollWidth > el.clientWidth)
    expect(clipped).toBe(false)
  })

  test('one title: the document starts with it, typing renames the spec, a rename reaches the editor', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'Checkout ideas')
    const facilitator = await facilitatorOf(service)
    const editor = await openEditor(service, spec, facilitator)
    await poll(() => blockTexts(editor)).toEqual(['Checkout ideas', ''])
    expect(await editor.locator('#spec-title').textContent()).toBe('Checkout ideas')

    // Typing in the title renames the spec: the header at once, the list and the API shortly.
    await typeTitle(editor, 'One-page checkout')
    await poll(() => editor.locator('#spec-title').textContent()).toBe('One-page checkout')
    expect(await editor.title()).toBe('One-page checkout · Valence')
    await poll(async () => ((await (await facilitator.fetch(`/api/specs/${spec}`)).json()) as { spec: { title: string } }).spec.title).toBe('One-page checkout')
    const { page: list } = await signedInPage(service, facilitator)
    await list.goto(service.url + '/')
    await poll(() => list.locator(`li[data-spec-id="${spec}"] .spec-link`).textContent()).toBe('One-page checkout')

    // A rename from the list reaches the open editor's title block and header.
    expect((await facilitator.fetch(`/api/specs/${spec}`, { method: 'PATCH', body: { title: 'Checkout in one page' } })).status).toBe(200)
    await poll(() => blockTexts(editor)).toEqual(['Checkout in one page', ''])
    await poll(() => editor.locator('#spec-title').textContent()).toBe('Checkout in one page')
    await expectAccessible(editor, 'the editor after a rename')
  })
  test('a customer who joins lands with the caret in the spec and a prompt until they first type', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'Checkout ideas')
    const link = await createInviteLink(service, await createPanel(service, 'Pilot customers', [spec]), 'customer')
    const page = await newPage()
    await page.goto(link.url)
    await page.locator('#invite-name').fill('Carla')
    await page.locator('#invite-submit').click()
    await page.waitForURL(`${service.url}/specs/${spec}`)
    await waitForEditor(page)
    const prompt = page.locator('#customer-prompt')
    await poll(() => prompt.textContent()).toBe('Add your idea anywhere, your words are credited to you')
    expect(await prompt.getAttribute('role')).toBe('status')
    // The caret waits in the first empty body block, not on the page body.
    await poll(() => page.evaluate(() => document.activeElement?.classList.contains('ProseMirror') ?? false)).toBe(true)
    await expectAccessible(page, 'the editor with the customer prompt')

    // Typing straight away writes into the body, and the prompt goes.
    await page.keyboard.type('Pay with one tap')
    await poll(() => blockTexts(page)).toEqual(['Checkout ideas', 'Pay with one tap'])
    await poll(() => prompt.count()).toBe(0)
    await waitForStatus(page, 'saved')
    expect(await storedBlocks(service, spec)).toEqual(['Checkout ideas', 'Pay with one tap'])
    // It does not come back on the next visit.
    await page.reload()
    await waitForEditor(page)
    await waitForStatus(page, 'saved')
    expect(await prompt.count()).toBe(0)

    // A team member never sees it.
    const tess = await openEditor(service, spec, 'Tess Team')
    await waitForStatus(tess, 'saved')
    expect(await tess.locator('#customer-prompt').count()).toBe(0)
  })
  test('closing a tab with changes not yet on the server asks first; a saved tab closes quietly', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'Offline spec')
    const context = await newContext()
    const page = await openEditor(service, spec, 'Olive Offline', await context.newPage())
    await waitForStatus(page, 'saved')
    await caretAtEnd(page)
    await page.keyboard.type('Written online')
    await waitForStatus(page, 'saved')
    // The server's marker for it arrives after the save (attribution is computed after commits).
    const blocks = page.locator('#editor .ProseMirror > *')
    await poll(() => blocks.nth(1).locator('.attr-marker').count()).toBe(1)

    await context.setOffline(true)
    await setConnected(page, false)
    await page.keyboard.type(', and more offline')
    await waitForStatus(page, 'offline-unsaved')
    // The page says where the changes are.
    expect(await page.locator('#save-status').textContent()).toBe('Offline: changes kept on this device')
    // The paragraph typed offline carries a provisional marker, the one typed online the server's.
    await page.keyboard.press('Enter')
    await page.keyboard.type('A new paragraph while offline')
    await poll(() => blocks.nth(2).locator('.attr-provisional').textContent()).toBe('You (not yet saved)')
    expect(await blocks.nth(1).locator('.attr-provisional').count()).toBe(0)
    expect(await blocks.nth(1).locator('.attr-marker').count()).toBe(1)
    await expectAccessible(page, 'the editor offline with unsaved changes')
    await screenshot(page, 'offline-provisional-1280')

    const dialogs: string[] = []
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.type())
      void dialog.dismiss()
    })
    await page.close({ runBeforeUnload: true })
    await poll(() => dialogs).toEqual(['beforeunload'])
    expect(page.isClosed()).toBe(false)

    // Back online: saved, and the server's own marker replaces the provisional one.
    await context.setOffline(false)
    await setConnected(page, true)
    await waitForStatus(page, 'saved')
    await poll(() => blocks.nth(2).locator('.attr-marker').count()).toBe(1)
    expect(await page.locator('#editor .attr-provisional').count()).toBe(0)

    // Saved: no question.
    const saved = await openEditor(service, spec, 'Sam Saved')
    await caretAtEnd(saved)
    await saved.keyboard.type('!')
    await waitForStatus(saved, 'saved')
    const asked: string[] = []
    saved.on('dialog', (dialog) => {
      asked.push(dialog.type())
      void dialog.accept()
    })
    await saved.close({ runBeforeUnload: true })
    await poll(() => saved.isClosed()).toBe(true)
    expect(asked).toEqual([])
  })
  test('a customer keeps their identity: a return link shown in their menu, a warning at sign-out, and back as themselves', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'Return ideas')
    const link = await createInviteLink(service, await createPanel(service, 'Returning customers', [spec]), 'customer')
    const page = await newPage()
    await page.goto(link.url)
    await page.locator('#invite-returning summary').click()
    await poll(() => page.locator('#invite-returning').textContent()).toContain('return link')
    await expectAccessible(page, 'the invite page with "I\u2019ve been here before" open')
    await page.locator('#invite-name').fill('Carla')
    await page.locator('#invite-submit').click()
    await page.waitForURL(`${service.url}/specs/${spec}`)
    await waitForEditor(page)
    const meId = () => page.evaluate(async () => ((await (await fetch('/api/auth/me')).json()) as { me: { participantId: string } }).me.participantId)
    const first = await meId()

    await page.locator('#return-link').click()
    const url = page.locator('#return-link-dialog #return-link-url')
    await poll(() => url.textContent()).toMatch(new RegExp(`^${service.url}/return/[A-Za-z0-9_-]{43}$`))
    const returnUrl = (await url.textContent())!
    expect(await page.locator('#return-link-dialog').textContent()).toContain('Save this link to come back as yourself')
    await expectAccessible(page, 'the return link dialog')
    await page.locator('#return-link-close').click()

    await page.locator('#signout').click()
    const warning = page.locator('#signout-dialog')
    await poll(() => warning.textContent()).toContain("You'll need your return link to come back as yourself")
    expect(await warning.locator('#return-link-url').textContent()).toBe(returnUrl)
    await expectAccessible(page, 'the sign-out warning for a customer')
    await page.locator('#signout-confirm').click()
    await page.waitForURL(/\/signin/)

    await page.goto(returnUrl)
    await page.waitForURL(`${service.url}/`)
    await poll(() => page.locator('#session-who').textContent()).toContain('Carla')
    expect(await meId()).toBe(first)
    await expectAccessible(page, 'the spec list after coming back')

    // A link that no longer works says so, and signs nobody in.
    const stranger = await newPage()
    await stranger.goto(`${service.url}/return/${'a'.repeat(43)}`)
    await poll(() => stranger.locator('#invite-heading').textContent()).toBe('This return link does not work any more')
    expect(await stranger.evaluate(async () => (await fetch('/api/auth/me')).status)).toBe(401)
    await expectAccessible(stranger, 'a return link that no longer works')
  })
})
