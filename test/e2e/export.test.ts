/**
 * Browser end-to-end tests of the export dialog on the real service with the real renderers:
 * a facilitator previews the brief, exports a PDF, watches the progress bar move and downloads
 * the file; axe runs on the dialog; at 375 px the dialog fits the screen; a team member gets
 * the Export button only once a facilitator allows team exports; an export survives a reload
 * of the page and Cancel stops it (with the fake renderer, whose timing the spec title sets).
 */
import fs from 'node:fs'
import { describe, expect, test } from 'vitest'
import type { Page } from 'playwright-core'
import { schema } from '../../shared/schema.js'
import { facilitatorOf, signInAs } from '../helpers/auth.js'
import { expectAccessible, newContext, openEditor, poll, screenshot } from '../helpers/browser.js'
import { connectAs, synced } from '../helpers/clients.js'
import { editPm } from '../helpers/pm-edit.js'
import { createSpec, startTestService } from '../helpers/server.js'
import type { Service } from '../../server/service.js'
import { expectNoOverflow, PHONE } from './layout.js'

/** The stand-in renderer of test/helpers/fake-export-renderer.ts: `steps:N:MS` in a title sets its pace. */
const FAKE_RENDERER = new URL('../helpers/fake-export-renderer.ts', import.meta.url)

/** A spec with a few paragraphs, so the brief has a body to preview and print. */
const specWithText = async (service: Service, title: string): Promise<string> => {
  const spec = await createSpec(service, title)
  const writer = await connectAs(service, spec)
  await synced(writer)
  editPm(writer.doc, (tr) =>
    tr.insert(tr.doc.content.size, [
      schema.nodes.heading.create({ level: 2 }, schema.text('Goals')),
      ...Array.from({ length: 12 }, (_, i) => schema.nodes.paragraph.create(null, schema.text(`Paragraph ${i + 1}: customers want offline mode and exports.`)))
    ])
  )
  await poll(() => writer.tracker.current.status).toBe('saved')
  writer.destroy()
  return spec
}

/** Records every value the progress bar shows (the element appears and changes while exporting). */
const recordProgress = (page: Page): Promise<void> =>
  page.evaluate(() => {
    const seen: string[] = ((window as unknown as { progressSeen: string[] }).progressSeen = [])
    const note = (): void => {
      const value = document.querySelector('#export-progress')?.getAttribute('value')
      if (value !== null && value !== undefined && seen.at(-1) !== value) seen.push(value)
    }
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value'] })
  })

const openDialog = async (page: Page): Promise<void> => {
  await page.locator('#export-open').click()
  await page.locator('#export-dialog[open]').waitFor()
}

describe('export dialog', () => {
  test('a facilitator previews, exports a PDF with a moving progress bar, and downloads it', async () => {
    const service = await startTestService()
    const spec = await specWithText(service, 'Offline brief')
    const page = await openEditor(service, spec, await facilitatorOf(service))
    await openDialog(page)
    // The preview is the HTML brief, in a sandboxed frame.
    const preview = page.frameLocator('#export-preview')
    await expect.poll(() => preview.locator('body').innerText(), { timeout: 20_000 }).toContain('Paragraph 12')
    expect(await page.locator('#export-preview').getAttribute('sandbox')).toBe('')
    await expectAccessible(page, 'the export dialog')

    // Changing an option reloads the preview (debounced) with that option.
    const before = await page.locator('#export-preview').getAttribute('src')
    await page.locator('#export-anonymise').check()
    await poll(() => page.locator('#export-preview').getAttribute('src')).not.toBe(before)
    expect(await page.locator('#export-preview').getAttribute('src')).toContain('anonymise=true')

    expect(await page.locator('#export-format').inputValue()).toBe('pdf')
    await recordProgress(page)
    await page.locator('#export-start').click()
    await page.locator('#export-download').waitFor({ timeout: 60_000 })
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen.map(Number))
    expect(seen.some((v) => v > 0 && v < 100), `progress values seen: ${seen.join(', ')}`).toBe(true)
    expect(await page.locator('.export-ready').innerText()).toContain('Offline brief.pdf')
    await screenshot(page, 'export-dialog-ready')

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-download').click()])
    expect(download.suggestedFilename()).toBe('Offline brief.pdf')
    const bytes = fs.readFileSync((await download.path())!)
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('%PDF')
    await expectAccessible(page, 'the export dialog with a finished export')
  })

  test('the dialog fits a 375 px phone and passes axe there', async () => {
    const service = await startTestService()
    const spec = await specWithText(service, 'Phone brief')
    const context = await newContext(PHONE)
    const page = await openEditor(service, spec, await facilitatorOf(service), await context.newPage())
    await openDialog(page)
    await page.frameLocator('#export-preview').locator('body').waitFor()
    const box = (await page.locator('#export-dialog').boundingBox())!
    expect(box.x).toBeGreaterThanOrEqual(0)
    expect(box.x + box.width).toBeLessThanOrEqual(375)
    for (const id of ['#export-format', '#export-start', '#export-preview']) {
      const b = (await page.locator(id).boundingBox())!
      expect(b.x + b.width, id).toBeLessThanOrEqual(375)
    }
    await expectNoOverflow(page, 375)
    await expectAccessible(page, 'the export dialog at 375 px')
    await screenshot(page, 'export-dialog-phone')
  })

  test('a team member gets the Export button only once a facilitator allows team exports', async () => {
    const service = await startTestService()
    const spec = await specWithText(service, 'Team brief')
    const facilitatorPage = await openEditor(service, spec, await facilitatorOf(service))
    const team = await signInAs(service, 'team', { displayName: 'Tara' })
    const teamPage = await openEditor(service, spec, team)
    // Positive control: the same page shows the Review button, added the same way.
    await teamPage.locator('#review-toggle').waitFor()
    expect(await teamPage.locator('#export-open').count()).toBe(0)

    await openDialog(facilitatorPage)
    await facilitatorPage.locator('#export-team-may').check()
    await poll(async () => ((await (await team.fetch(`/api/specs/${spec}/export-settings`)).json()) as { mayExport: boolean }).mayExport).toBe(true)
    await teamPage.reload()
    await openDialog(teamPage)
    expect(await teamPage.locator('#export-team-may').count()).toBe(0)
  })

  test('an export survives a reload of the page, and Cancel stops it for good', async () => {
    const service = await startTestService({}, { exportRenderer: FAKE_RENDERER })
    const facilitator = await facilitatorOf(service)
    // 600 steps of 100 ms: long enough to reload and cancel; the title's tag is only for the fake.
    const spec = await specWithText(service, 'Slow brief steps:600:100')
    const page = await openEditor(service, spec, facilitator)
    await openDialog(page)
    await page.locator('#export-format').selectOption('docx')
    await page.locator('#export-start').click()
    // A worker thread starts first: seconds on a busy machine.
    await poll(async () => Number(await page.locator('#export-progress').getAttribute('value')), { timeout: 30_000 }).toBeGreaterThan(0)
    const jobId = await page.evaluate((id) => sessionStorage.getItem(`valence:export-job:${id}`), spec)
    expect(jobId).toMatch(/\S/)

    await page.reload()
    await openDialog(page)
    // The same job, followed live: its progress keeps rising, its options are shown and locked.
    const shown = Number(await page.locator('#export-progress').getAttribute('value', { timeout: 10_000 }))
    await poll(async () => Number(await page.locator('#export-progress').getAttribute('value'))).toBeGreaterThan(shown)
    expect(await page.locator('#export-format').inputValue()).toBe('docx')
    expect(await page.locator('#export-format').isDisabled()).toBe(true)
    await expectAccessible(page, 'the export dialog following a running export')
    await screenshot(page, 'export-dialog-reattached-1280')
    await page.setViewportSize(PHONE.viewport)
    await expectNoOverflow(page, 375)
    await screenshot(page, 'export-dialog-reattached-375')

    await page.locator('#export-cancel').click()
    await page.locator('.export-ended', { hasText: 'Export cancelled.' }).waitFor()
    const job = (await (await facilitator.fetch(`/api/exports/${jobId}`)).json()) as { job: { state: string } }
    expect(job.job.state).toBe('cancelled')
    expect(await page.evaluate((id) => sessionStorage.getItem(`valence:export-job:${id}`), spec)).toBeNull()

    // Opened again, the dialog starts fresh: nothing to follow, Export ready.
    await page.locator('#export-close').click()
    await openDialog(page)
    await page.locator('#export-start:not([disabled])').waitFor()
    expect(await page.locator('#export-progress, .export-ended').count()).toBe(0)
  })

  test('a finished export is still there to download after a reload', async () => {
    const service = await startTestService({}, { exportRenderer: FAKE_RENDERER })
    const spec = await specWithText(service, 'Quick brief steps:2:10')
    const page = await openEditor(service, spec, await facilitatorOf(service))
    await openDialog(page)
    await page.locator('#export-start').click()
    await page.locator('#export-download').waitFor({ timeout: 30_000 })
    await page.reload()
    await openDialog(page)
    await page.locator('#export-download').waitFor()
    expect(await page.locator('.export-ready').innerText()).toContain('Quick brief steps 2 10.pdf')
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-download').click()])
    expect(fs.readFileSync((await download.path())!).toString('latin1')).toContain('%PDF-fake')
  })
})
