/**
 * The first hour of a new user (issue 9), item by item, in the browser: what a facilitator, a
 * team member and a customer see when they start, with axe on each page touched.
 */
import { describe, expect, test } from 'vitest'
import { signInAs } from '../helpers/auth.js'
import { createSpec, startTestService } from '../helpers/server.js'
import { expectAccessible, openEditor, poll, signedInPage, waitForStatus } from '../helpers/browser.js'
import { caretAtEnd } from './editor-page.js'

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
})
