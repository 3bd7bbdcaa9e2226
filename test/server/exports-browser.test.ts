/**
 * PDF jobs of a real server print in its shared browser (server/export/shared-browser.ts): no
 * Chromium runs before the first PDF job; after it one browser stays up (the job's pages
 * closed), the next job prints in that same browser, and `service.stop()` leaves no Chromium.
 */
import { describe, expect, it } from 'vitest'
import type { ExportJob } from '../../shared/api-export.js'
import { facilitatorOf, type SignedIn } from '../helpers/auth.js'
import { eventually } from '../helpers/eventually.js'
import { createSpec, startTestService } from '../helpers/server.js'
import { exportBrowsers, renderersOf } from '../export/chromium-processes.js'
import { pdfText } from '../export/read-export.js'

async function exportPdf(who: SignedIn, specId: string): Promise<ExportJob> {
  const res = await who.fetch(`/api/specs/${specId}/exports`, { method: 'POST', body: { format: 'pdf' } })
  expect(res.status).toBe(202)
  const { job } = (await res.json()) as { job: ExportJob }
  return eventually(async () => {
    const now = ((await (await who.fetch(`/api/exports/${job.id}`)).json()) as { job: ExportJob }).job
    expect(now.state).toBe('done')
    return now
  }, 60_000, 100)
}

describe('the shared export browser of a server', () => {
  it('starts at the first PDF job, serves the next one, and is gone after stop()', async () => {
    const service = await startTestService()
    const facilitator = await facilitatorOf(service)
    const spec = await createSpec(service, 'Warm browser brief')
    expect(exportBrowsers()).toEqual([])

    const first = await exportPdf(facilitator, spec)
    const pid = (await service.exports.browser.pid())!
    // Positive control for the check after stop(): the same lookup finds the shared browser.
    expect(exportBrowsers()).toEqual([pid])
    await eventually(() => expect(renderersOf(pid)).toEqual([]))
    const file = await facilitator.fetch(first.downloadUrl!)
    expect(pdfText(new Uint8Array(await file.arrayBuffer()))).toContain('Warm browser brief')

    await exportPdf(facilitator, spec)
    expect(await service.exports.browser.pid()).toBe(pid)
    expect(exportBrowsers()).toEqual([pid])
    await eventually(() => expect(service.exports.browser.held).toBe(0))

    await service.stop()
    await eventually(() => expect(exportBrowsers()).toEqual([]))
  }, 120_000)
})
