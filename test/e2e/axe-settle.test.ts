/**
 * Regression (CI, stop 13): the threads test's axe run landed inside a remote caret label's
 * 0.4 s fade and reported `color-contrast` on `.cursor-name`/`.cursor-role`, half-transparent
 * text no reader sees for longer than the fade. `runAxe` now settles animations first; this test
 * freezes a label mid-fade, proves that a plain axe run flags it (the positive control), and that
 * `runAxe` doesn't.
 */
import { describe, expect, test } from 'vitest'
import type { Page } from 'playwright-core'
import { signInAs } from '../helpers/auth.js'
import { openEditor, runAxe, waitForStatus } from '../helpers/browser.js'
import { createSpec, startTestService } from '../helpers/server.js'
import { caretInTitle, expectBlocks } from './editor-page.js'

/** 3.3 s into the label's animation: 0.3 s into its fade (3 s delay, then 0.4 s). */
const MID_FADE_MS = 3_300

const labelsMidFade = (page: Page, play: boolean): Promise<number> =>
  page.evaluate(
    ({ at, play }) => {
      const labels = document.getAnimations().filter((a) => (a as CSSAnimation).animationName === 'cursor-label-fade')
      for (const animation of labels) {
        animation.currentTime = at
        if (play) animation.play()
        else animation.pause()
      }
      return labels.length
    },
    { at: MID_FADE_MS, play }
  )

const plainAxe = (page: Page): Promise<string[]> =>
  page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(d: Document, o: object): Promise<{ violations: Array<{ id: string }> }> } }).axe
    return (await axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => v.id)
  })

describe('axe runs on a settled page', () => {
  test('a remote caret label caught mid-fade is not a contrast failure', async () => {
    const service = await startTestService()
    const spec = await createSpec(service, 'Fade')
    const carla = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName: 'Carla Customer' })
    const tom = await signInAs(service, 'team', { displayName: 'Tom Team' })
    const [customer, team] = await Promise.all([openEditor(service, spec, carla), openEditor(service, spec, tom)])
    await Promise.all([waitForStatus(customer, 'saved'), waitForStatus(team, 'saved')])
    await caretInTitle(customer)
    await customer.keyboard.press('ArrowDown')
    await customer.keyboard.type('Hello')
    await expectBlocks(team, ['Fade', 'Hello'])
    await team.locator('.ProseMirror-yjs-cursor-label').waitFor({ state: 'attached' })

    expect(await runAxe(team)).toEqual([]) // injects axe; the label is fully visible here
    expect(await labelsMidFade(team, false)).toBeGreaterThan(0)
    expect(await plainAxe(team)).toContain('color-contrast')

    await labelsMidFade(team, true)
    expect(await runAxe(team)).toEqual([])
    await service.stop()
  })
})
