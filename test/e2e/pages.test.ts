/**
 * Browser end-to-end tests of the pages themselves: signing in and out, the spec list flow, the
 * not-found and no-access pages, the invite landing page, the workspace, accessibility (axe-core,
 * keyboard), the 375 px phone layout, and per-person undo. Pages are signed in by putting a
 * session cookie into the context, except where the sign-in form is the subject.
 */
import { describe, expect, test } from 'vitest'
import type { Page } from 'playwright-core'
import { facilitatorOf, signInAs, TEST_PASSWORD } from '../helpers/auth.js'
import { createSpec, startTestService } from '../helpers/server.js'
import {
  expectAccessible,
  newContext,
  newPage,
  openEditor,
  poll,
  runAxe,
  screenshot,
  signedInPage,
  waitForEditor,
  waitForStatus
} from '../helpers/browser.js'
import { avatars, caretAtEnd, docJson, expectBlocks, expectCursor, pageMe, selectToLineStart, setConnected, typeTitle } from './editor-page.js'
import { createInviteLink, createPanel, expiredInviteLink, revokedInviteLink } from './workspace-api.js'
import { expectNoOverflow, PHONE } from './layout.js'

const focusedCommand = (page: Page): Promise<string | null> =>
  page.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.dataset.command ?? null : null))

describe('signing in', () => {
  test('a signed-out visitor signs in through the form, lands where they were going and signs out', async () => {
    const service = await startTestService()
    const alice = await signInAs(service, 'team', { displayName: 'Alice Example' })
    const id = await createSpec(service, 'Signed-in spec')
    const page = await newPage()

    // Every page needs a session: the editor sends a visitor to sign in and remembers the spec.
    await page.goto(`${service.url}/specs/${id}`)
    await page.waitForURL(`${service.url}/signin?next=${encodeURIComponent(`/specs/${id}`)}`)
    await poll(() => page.evaluate(() => document.activeElement?.id)).toBe('signin-email')
    await expectAccessible(page, 'the sign-in page')

    await page.locator('#signin-email').fill(alice.email!)
    await page.locator('#signin-password').fill('not the password')
    await page.locator('#signin-submit').click()
    await poll(() => page.locator('#signin-error').textContent()).toBe(
      'That email and password do not match an account. Check them and try again.'
    )
    expect(await page.locator('#signin-password').inputValue()).toBe('')
    await expectAccessible(page, 'the sign-in page with an error')

    await page.locator('#signin-password').fill(TEST_PASSWORD)
    await page.locator('#signin-submit').click()
    await page.waitForURL(`${service.url}/specs/${id}`)
    await waitForEditor(page)
    await poll(() => page.locator('#session-who').textContent()).toBe('Signed in as Alice Example Team')
    await poll(() => page.locator('#presence').textContent()).toContain('Alice Example')
    // Only facilitators get the Workspace link.
    expect(await page.locator('#workspace-link').count()).toBe(0)

    // Signing out ends this browser's session on the server, not just the cookie.
    const session = (await page.context().cookies(service.url)).find((c) => c.name === 'valence_session')
    expect(session?.httpOnly).toBe(true)
    const me = (): Promise<number> =>
      fetch(`${service.url}/api/auth/me`, { headers: { cookie: `valence_session=${session!.value}` } }).then((r) => r.status)
    expect(await me()).toBe(200)
    await page.locator('#signout').click()
    await page.waitForURL(`${service.url}/signin`)
    expect(await me()).toBe(401)
    await page.goto(service.url + '/')
    await page.waitForURL(`${service.url}/signin`)
  })
})

describe('spec list', () => {
  test('creates, renames, opens and deletes a spec', async () => {
    const service = await startTestService()
    const facilitator = await facilitatorOf(service)
    const { page } = await signedInPage(service, facilitator)
    await page.goto(service.url + '/')
    await poll(() => page.locator('#list-status').textContent()).toBe('No specs yet. Create the first one above.')
    expect(await page.locator('#workspace-link').isVisible()).toBe(true)
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
    const stored = (await (await facilitator.fetch(`/api/specs/${id}`)).json()) as { spec: { title: string } }
    expect(stored.spec.title).toBe('Bulk export for admins')

    // No name to ask for: the editor knows who is signed in.
    await item.locator('[data-action="open"]').click()
    await page.waitForURL(`${service.url}/specs/${id}`)
    await waitForEditor(page)
    await poll(() => page.locator('#spec-title').textContent()).toBe('Bulk export for admins')
    expect(await page.locator('dialog[open]').count()).toBe(0)
    await poll(() => page.locator('#presence').textContent()).toContain('Test facilitator')
    expect(await page.locator('#presence .avatar-self').getAttribute('data-role')).toBe('facilitator')
    await waitForStatus(page, 'saved')

    await page.locator('a.back-link').click()
    await page.waitForURL(`${service.url}/`)
    await item.locator('[data-action="delete"]').click()
    await page.locator('#confirm-delete').waitFor()
    await expectAccessible(page, 'the delete confirmation')
    await page.locator('#confirm-delete [data-action="confirm"]').click()
    await item.waitFor({ state: 'detached' })
    await poll(() => page.locator('#list-status').textContent()).toBe('Deleted “Bulk export for admins”.')
    expect(await page.locator('#list-error').textContent()).toBe('')
    expect((await facilitator.fetch(`/api/specs/${id}`)).status).toBe(404)

    await page.reload()
    await poll(() => page.locator('#list-status').textContent()).toBe('No specs yet. Create the first one above.')
  })

  test('a customer sees only the specs shared with their panel, and cannot create one', async () => {
    const service = await startTestService()
    const shared = await createSpec(service, 'Shared with the panel')
    await createSpec(service, 'Internal roadmap')
    const customer = await signInAs(service, 'customer', { panelSpecIds: [shared], displayName: 'Cleo Customer' })
    const { page } = await signedInPage(service, customer)
    await page.goto(service.url + '/')
    await poll(() => page.locator('#list-status').textContent()).toBe('1 spec')
    expect(await page.locator('li[data-spec-id]').allTextContents()).toEqual([expect.stringContaining('Shared with the panel')])
    expect(await page.locator('#new-spec-form').isHidden()).toBe(true)
    expect(await page.locator('li[data-spec-id] [data-action="delete"]').count()).toBe(0)
    expect(await page.locator('#workspace-link').count()).toBe(0)
    await poll(() => page.locator('#session-who').textContent()).toBe('Signed in as Cleo Customer Customer')
    await expectAccessible(page, 'a customer’s spec list')
  })

  test('an unknown spec shows the not-found page, and a spec not shared says so', async () => {
    const service = await startTestService()
    const { page } = await signedInPage(service, await facilitatorOf(service))
    await page.goto(`${service.url}/specs/no-such-spec`)
    await page.locator('main.not-found').waitFor()
    expect(await page.locator('main.not-found h1').textContent()).toBe('Spec not found')
    expect(await page.locator('#save-status').count()).toBe(0)
    expect(await page.locator('main.not-found a[href="/"]').isVisible()).toBe(true)
    await expectAccessible(page, 'the not-found page')

    // A customer cannot tell a spec of another panel from a missing one.
    const other = await createSpec(service, 'Another panel’s spec')
    const customer = await signInAs(service, 'customer', { panelSpecIds: [] })
    const { page: customerPage } = await signedInPage(service, customer)
    await customerPage.goto(`${service.url}/specs/${other}`)
    await customerPage.locator('main.not-found').waitFor()
    expect(await customerPage.locator('main.not-found h1').textContent()).toBe('You don’t have access to this spec')
    expect(await customerPage.textContent('body')).not.toContain('Another panel’s spec')
    await expectAccessible(customerPage, 'the no-access page')
  })
})

describe('invite landing page', () => {
  test('a valid link explains the invitation and asks for a name', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'Checkout redesign')
    const panel = await createPanel(service, 'Pilot customers', [spec])
    const link = await createInviteLink(service, panel, 'customer')
    const page = await newPage()
    await page.goto(link.url)
    await poll(() => page.locator('#invite-heading').textContent()).toBe('You’re invited to co-write')
    await poll(() => page.locator('#invite-summary').textContent()).toBe('Test facilitator invites you to co-write: “Checkout redesign”.')
    expect(await page.locator('#invite-panel-name').textContent()).toBe('Pilot customers')
    expect(await page.locator('#invite-role').textContent()).toBe('Customer')
    expect(await page.locator('#invite-submit').textContent()).toBe('Join as customer')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('invite-name')
    await expectAccessible(page, 'the invite landing page')

    // An empty name is refused in the page (nothing sent).
    await page.locator('#invite-submit').click()
    expect(await page.locator('#invite-name').evaluate((el: HTMLInputElement) => el.validity.valid)).toBe(false)
    expect(page.url()).toBe(link.url)
  })

  test('a browser already signed in as an invitee is asked: continue as them, or join as someone new', async () => {
    const service = await startTestService()
    const first = await createSpec(service, 'Onboarding')
    const firstPanel = await createPanel(service, 'Early birds', [first])
    const spec = await createSpec(service, 'Checkout redesign')
    const link = await createInviteLink(service, await createPanel(service, 'Pilot customers', [spec]), 'customer')
    const question = 'You’re already here as Carla. Continue as Carla, or join as someone new?'

    // Joining as someone new: the name form, a new participant, and Carla's cookie ends.
    const carla = await signInAs(service, 'customer', { panelId: firstPanel, displayName: 'Carla' })
    const { page } = await signedInPage(service, carla)
    await page.goto(link.url)
    await poll(() => page.locator('#invite-choice-question').textContent()).toBe(question)
    expect(await page.locator('#invite-continue').textContent()).toBe('Continue as Carla')
    expect(await page.locator('#invite-form').isHidden()).toBe(true)
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('invite-choice-question')
    await expectAccessible(page, 'the invite page asking who joins')
    await page.locator('#invite-new').click()
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('invite-name')
    await page.locator('#invite-name').fill('Dana')
    await page.locator('#invite-submit').click()
    await page.waitForURL(`${service.url}/specs/${spec}`)
    await waitForEditor(page)
    const dana = await pageMe(page)
    expect(dana).toMatchObject({ displayName: 'Dana', role: 'customer' })
    expect(dana.participantId).not.toBe(carla.principal.participantId)
    expect((await carla.fetch('/api/auth/me')).status).toBe(401)

    // Continuing: the same participant, now also in this panel, on a fresh session.
    const again = await signInAs(service, 'customer', { panelId: firstPanel, displayName: 'Carla' })
    const second = (await signedInPage(service, again)).page
    await second.goto(link.url)
    await poll(() => second.locator('#invite-choice-question').textContent()).toBe(question)
    await second.locator('#invite-continue').click()
    await second.waitForURL(`${service.url}/specs/${spec}`)
    await waitForEditor(second)
    expect(await pageMe(second)).toMatchObject({ participantId: again.principal.participantId, displayName: 'Carla' })
    expect((await again.fetch('/api/auth/me')).status).toBe(401)
    const cookies = await second.context().cookies()
    expect(cookies.find((c) => c.name === 'valence_session')?.value).not.toBe(again.cookie.split('=')[1])
  })

  test('expired and revoked links explain why instead of offering the form', async () => {
    const service = await startTestService()
    const panel = await createPanel(service, 'Pilot customers', [await createSpec(service, 'Spec')])
    const page = await newPage()
    const cases = [
      [await expiredInviteLink(service, panel), 'This invite link has expired'],
      [await revokedInviteLink(service, panel), 'This invite link was withdrawn'],
      [{ url: `${service.url}/invite/not-a-real-token` }, 'This invite link does not work']
    ] as const
    for (const [link, heading] of cases) {
      await page.goto(link.url)
      await poll(() => page.locator('#invite-heading').textContent()).toBe(heading)
      expect(await page.locator('#invite-form').isHidden()).toBe(true)
      expect(await page.locator('#invite-details').isHidden()).toBe(true)
      expect(await page.locator('#invite-status').getAttribute('role')).toBe('alert')
      await expectAccessible(page, `the invite page: ${heading}`)
    }
  })
})

describe('workspace', () => {
  test('a facilitator’s workspace with a panel, a member and a new invite link is accessible', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'Checkout redesign')
    await createSpec(service, 'Bulk export')
    const panel = await createPanel(service, 'Pilot customers', [spec])
    await signInAs(service, 'customer', { panelId: panel, displayName: 'Cleo Customer' })
    const { page } = await signedInPage(service, await facilitatorOf(service))
    await page.goto(service.url + '/workspace')
    await poll(() => page.locator('#workspace-status').textContent()).toBe('2 specs · 1 panel')
    const card = page.locator(`#panel-list li[data-panel-id="${panel}"]`)
    await card.locator('[data-member-id]', { hasText: 'Cleo Customer' }).waitFor()
    await expectAccessible(page, 'the workspace')

    await card.locator('[data-field="invite-role"]').selectOption('viewer')
    await card.locator('[data-action="create-invite"]').click()
    await poll(() => page.locator('#invite-url').textContent()).toMatch(new RegExp(`^${service.url}/invite/[^/]+$`))
    await poll(() => page.locator('#workspace-status').textContent()).toBe('Invite link created.')
    await card.locator('[data-invite-id]').waitFor()
    expect(await page.locator('#workspace-error').textContent()).toBe('')
    await expectAccessible(page, 'the workspace with a new invite link')

    await card.locator('[data-action="remove-member"]').click()
    await page.locator('#confirm-remove-member').waitFor()
    await expectAccessible(page, 'the remove-member confirmation')
    await page.keyboard.press('Escape')
    await page.locator('#confirm-remove-member').waitFor({ state: 'detached' })
    expect(await card.locator('[data-member-id]').count()).toBe(1)
  })

  test('other roles are told the workspace is for facilitators', async () => {
    const service = await startTestService()
    const { page } = await signedInPage(service, 'Tess Team')
    await page.goto(service.url + '/workspace')
    await page.locator('#workspace-denied').waitFor()
    expect(await page.locator('#workspace-content').count()).toBe(0)
    await expectAccessible(page, 'the workspace refusal')
  })
})

describe('editor', () => {
  test('has no serious accessibility violations with content and a remote cursor', async () => {
    const service = await startTestService()
    const id = await createSpec(service, 'Accessible spec')
    const alice = await openEditor(service, id, 'Alice')
    const customer = await signInAs(service, 'customer', { panelSpecIds: [id], displayName: 'Bob' })
    const bob = await openEditor(service, id, customer)
    await typeTitle(alice, 'Accessible spec')
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
    await expectCursor(alice, 'Bob', 'Customer')
    await waitForStatus(alice, 'saved')
    await expectAccessible(alice, 'the editor with content')
    await expectAccessible(bob, 'a customer’s editor')
    await screenshot(alice, 'editor-1280')
  })

  // Regression: the self avatar once showed the initials "AL" but was named "Ada Lovelace (you):
  // change your display name", so its visible text was not part of its accessible name (WCAG
  // 2.5.3 Label in Name; axe label-content-name-mismatch).
  test('a two-word display name keeps the avatar accessible', async () => {
    const service = await startTestService()
    const id = await createSpec(service, 'Avatar spec')
    const page = await openEditor(service, id, 'Ada Lovelace')
    await openEditor(service, id, 'Grace Hopper')
    await poll(() => avatars(page).count()).toBe(2)
    expect(await page.locator('#presence .avatar-self').textContent()).toBe('AL')
    const violations = await runAxe(page)
    expect(violations.map((v) => v.id)).not.toContain('label-content-name-mismatch')
    // Screen readers get everyone's name and role from the list beside the avatars.
    expect(await page.locator('#presence ul li').allTextContents()).toEqual(['Ada Lovelace (you), Team', 'Grace Hopper, Team'])
  })

  test('the toolbar works from the keyboard', async () => {
    const service = await startTestService()
    const id = await createSpec(service, 'Keyboard spec')
    const page = await openEditor(service, id, 'Alice')
    await caretAtEnd(page)
    await page.keyboard.type('Ship it')
    await selectToLineStart(page, 'Ship it')
    const bold = page.locator('#toolbar .toolbar-button[data-command="bold"]')
    expect(await bold.getAttribute('aria-pressed')).toBe('false')

    // Tab from the start of the page until focus enters the toolbar (one tab stop).
    await page.locator('a.back-link').focus()
    for (let i = 0; i < 8; i++) {
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
    await expectBlocks(bob, ['Undo spec', 'Alice draft'])
    await typeTitle(bob, 'Bob title')
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
    // A facilitator's header is the fullest: name, role, Workspace link, Sign out.
    const { page } = await signedInPage(service, await facilitatorOf(service), PHONE)
    await page.goto(service.url + '/')
    await poll(() => page.locator('li[data-spec-id]').count()).toBe(2)
    await expectNoOverflow(page, 375)
    await expectAccessible(page, 'the spec list at 375 px')
    await screenshot(page, 'list-375')
  })

  test('the sign-in, invite and workspace pages do not overflow', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'A very long spec title: bulk export of every customer workspace, with audit trail')
    const panel = await createPanel(service, 'Enterprise administrators of very large organisations', [spec])
    await signInAs(service, 'customer', { panelId: panel, displayName: 'Maximilian Wolfeschlegelstein-Hausberger' })
    const link = await createInviteLink(service, panel, 'customer')

    const visitor = await (await newContext(PHONE)).newPage()
    await visitor.goto(service.url + '/signin')
    await visitor.locator('#signin-email').waitFor()
    await expectNoOverflow(visitor, 375)
    await visitor.goto(link.url)
    await visitor.locator('#invite-form').waitFor()
    await expectNoOverflow(visitor, 375)
    await expectAccessible(visitor, 'the invite page at 375 px')
    await screenshot(visitor, 'invite-375')

    const { page } = await signedInPage(service, await facilitatorOf(service), PHONE)
    await page.goto(service.url + '/workspace')
    await page.locator(`#panel-list li[data-panel-id="${panel}"] [data-member-id]`).waitFor()
    await page.locator(`#panel-list li[data-panel-id="${panel}"] [data-action="create-invite"]`).click()
    await page.locator('#invite-url').waitFor()
    await expectNoOverflow(page, 375)
    await expectAccessible(page, 'the workspace at 375 px')
    await screenshot(page, 'workspace-375')
  })

  test('the editor does not overflow and its toolbar is usable', async () => {
    const service = await startTestService()
    const id = await createSpec(service, 'Phone spec')
    const context = await newContext(PHONE)
    const page = await openEditor(service, id, 'Alexandra', await context.newPage())
    // The longest label a cursor shows: a 40-character name and the longest role.
    const bobName = 'Maximilian Wolfeschlegelstein-Hausberger'
    const bob = await openEditor(service, id, await signInAs(service, 'facilitator', { displayName: bobName }))
    await typeTitle(page, 'Phone spec with a rather long title that has to wrap')
    await caretAtEnd(page)
    await page.keyboard.type('Make this bold, then https://example.com/a/very/long/unbroken/path/that/must/wrap')
    await expectBlocks(bob, [
      'Phone spec with a rather long title that has to wrap',
      'Make this bold, then https://example.com/a/very/long/unbroken/path/that/must/wrap'
    ])
    await caretAtEnd(bob)
    await expectCursor(page, bobName, 'Facilitator')
    await poll(() => avatars(page).count()).toBe(2)
    await waitForStatus(page, 'saved')

    const buttons = page.locator('#toolbar .toolbar-button')
    const count = await buttons.count()
    expect(count).toBeGreaterThan(10)
    // One row that scrolls sideways: each button is on screen once scrolled to.
    for (let i = 0; i < count; i++) {
      await buttons.nth(i).scrollIntoViewIfNeeded()
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
    await caretAtEnd(page)
    await selectToLineStart(page, 'Make this bold, then https://example.com/a/very/long/unbroken/path/that/must/wrap')
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
