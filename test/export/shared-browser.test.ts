/**
 * The shared export browser (server/export/shared-browser.ts): [B1] one launch however many
 * acquire at once, and two PDFs printing in it at once, each in its own context, none left after;
 * [B2] closed after its idle time once no lease is held, and started anew by the next acquire;
 * [B3] a killed browser is replaced at the next acquire; [B4] closing it leaves no Chromium and
 * refuses later acquires.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { exportOptions } from '../../shared/api-export.js'
import { renderExport } from '../../server/export/render-export.js'
import { SharedBrowser } from '../../server/export/shared-browser.js'
import { createLogger } from '../../server/observability/logger.js'
import { eventually, sleep } from '../helpers/eventually.js'
import { buildFixture, type Fixture } from './brief-fixture.js'
import { exportBrowsers, renderersOf } from './chromium-processes.js'
import { CHROMIUM, pdfText } from './read-export.js'

let fixture: Promise<Fixture> | null = null
const spec = (): Promise<Fixture> => (fixture ??= buildFixture())

const browsers: SharedBrowser[] = []
const open = (idleMs?: number): SharedBrowser => {
  const browser = new SharedBrowser({ chromiumPath: CHROMIUM, log: createLogger('silent'), idleMs })
  browsers.push(browser)
  return browser
}
afterEach(async () => {
  await Promise.all(browsers.splice(0).map((b) => b.close()))
  await eventually(() => expect(exportBrowsers()).toEqual([]))
})

describe('the shared export browser', () => {
  it('[B1] starts once for concurrent acquires and prints two PDFs at once, each in its own context', async () => {
    const { source } = await spec()
    const browser = open()
    expect(await browser.pid()).toBeNull()
    expect(exportBrowsers()).toEqual([])
    const [a, b] = await Promise.all([browser.acquire(), browser.acquire()])
    expect(a.endpoint).toBe(b.endpoint)
    const pid = (await browser.pid())!
    expect(exportBrowsers()).toEqual([pid])
    const pdf = (endpoint: string, paper: 'a4' | 'letter') =>
      renderExport(source, exportOptions.parse({ format: 'pdf', paper }), { chromiumPath: CHROMIUM, browserEndpoint: endpoint }, () => {}, new AbortController().signal)
    const [one, two] = await Promise.all([pdf(a.endpoint, 'a4'), pdf(b.endpoint, 'letter')])
    expect(pdfText(one.bytes)).toContain(source.spec.title)
    expect(pdfText(two.bytes)).toContain(source.spec.title)
    // Each job closed its context: no page is left, and the browser is the same one.
    await eventually(() => expect(renderersOf(pid)).toEqual([]))
    expect(exportBrowsers()).toEqual([pid])
    a.release()
    b.release()
    expect(browser.held).toBe(0)
  }, 60_000)

  it('[B2] closes after its idle time with no lease, and the next acquire starts a new one', async () => {
    const browser = open(300)
    const lease = await browser.acquire()
    const first = (await browser.pid())!
    expect(exportBrowsers()).toEqual([first])
    lease.release()
    lease.release() // A second release is ignored.
    expect(browser.held).toBe(0)
    await eventually(() => expect(exportBrowsers()).toEqual([]))
    const next = await browser.acquire()
    const second = (await browser.pid())!
    expect(second).not.toBe(first)
    expect(exportBrowsers()).toEqual([second])
    next.release()
  }, 60_000)

  it('[B2] is not closed while a lease is held', async () => {
    const browser = open(100)
    const held = await browser.acquire()
    const pid = (await browser.pid())!
    const other = await browser.acquire()
    other.release()
    // Positive control for the wait: the same idle time closes it once `held` is released.
    await sleep(500)
    expect(exportBrowsers()).toEqual([pid])
    held.release()
    await eventually(() => expect(exportBrowsers()).toEqual([]))
  }, 60_000)

  it('[B3] a killed browser is replaced at the next acquire', async () => {
    const { source } = await spec()
    const browser = open()
    const lease = await browser.acquire()
    const pid = (await browser.pid())!
    process.kill(pid, 'SIGKILL')
    lease.release()
    await eventually(async () => expect(await browser.pid()).toBeNull())
    const next = await browser.acquire()
    const replaced = (await browser.pid())!
    expect(replaced).not.toBe(pid)
    const file = await renderExport(source, exportOptions.parse({ format: 'pdf' }), { chromiumPath: CHROMIUM, browserEndpoint: next.endpoint }, () => {}, new AbortController().signal)
    expect(pdfText(file.bytes)).toContain(source.spec.title)
    next.release()
  }, 60_000)

  it('[B4] close leaves no Chromium and refuses later acquires', async () => {
    const browser = open()
    const lease = await browser.acquire()
    expect(exportBrowsers()).toHaveLength(1)
    await browser.close()
    await eventually(() => expect(exportBrowsers()).toEqual([]))
    lease.release()
    await expect(browser.acquire()).rejects.toThrow(/closed/)
    expect(exportBrowsers()).toEqual([])
  }, 60_000)
})
