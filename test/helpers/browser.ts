/**
 * Headless Chromium for the browser end-to-end tests, through playwright-core and the system
 * Chromium (`CHROMIUM_PATH`, default `/usr/bin/chromium`).
 *
 * One browser per test file, launched on first use and closed in `afterAll`; every context a test
 * opens is closed in `afterEach`, so tests never share cookies, localStorage or IndexedDB.
 * Uncaught exceptions in any page fail the test that caused them.
 *
 * @example
 *   const service = await startTestService()
 *   const id = await createSpec(service, 'Plan')
 *   const alice = await openEditor(service, id, 'Alice')
 *   await alice.locator('#editor .ProseMirror').click()
 *   expect(await runAxe(alice)).toEqual([])
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { afterAll, afterEach, expect } from 'vitest'
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page
} from 'playwright-core'

/** Flags that keep headless Chromium quiet, offline from Google services and container-safe. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage'
]

let launching: Promise<Browser> | null = null
const contexts = new Set<BrowserContext>()
const pageErrors: string[] = []

/** The file's shared browser, launched on first call. */
export function browser(): Promise<Browser> {
  launching ??= chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS
  })
  return launching
}

afterEach(async () => {
  const open = [...contexts]
  contexts.clear()
  await Promise.all(open.map((c) => c.close().catch(() => {})))
  const errors = pageErrors.splice(0)
  if (errors.length > 0) throw new Error(`uncaught errors in the page:\n  ${errors.join('\n  ')}`)
})

afterAll(async () => {
  const pending = launching
  launching = null
  if (pending) await (await pending).close()
})

/** A fresh, isolated browser context (own storage), closed after the test. */
export async function newContext(options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await (await browser()).newContext({ viewport: { width: 1280, height: 800 }, ...options })
  contexts.add(context)
  context.on('page', watchPage)
  return context
}

/** A page in a fresh context, closed after the test. */
export async function newPage(options: BrowserContextOptions = {}): Promise<Page> {
  const context = await newContext(options)
  return context.newPage()
}

function watchPage(page: Page): void {
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.stack ?? error.message}`))
}

/** Something with a base URL, such as a running test service. */
export interface HasUrl {
  readonly url: string
}

/**
 * Opens the editor of `specId` as `name` (skipping the name dialog) in `page`, or in a page of a
 * fresh context when `page` is omitted, and waits until the editor is live.
 */
export async function openEditor(
  service: HasUrl,
  specId: string,
  name: string | null,
  page?: Page
): Promise<Page> {
  const target = page ?? (await newPage())
  const query = name === null ? '' : `?name=${encodeURIComponent(name)}`
  await target.goto(`${service.url}/specs/${encodeURIComponent(specId)}${query}`)
  await waitForEditor(target)
  return target
}

/** Waits until the editor page has mounted ProseMirror and exposed `window.valence`. */
export async function waitForEditor(page: Page): Promise<void> {
  await page.locator('#editor .ProseMirror').waitFor()
  await page.waitForFunction(() => 'valence' in window)
}

/** How long UI assertions wait by default; generous because CI shares two cores. */
export const UI_TIMEOUT = 10_000

/**
 * `expect.poll` with {@link UI_TIMEOUT} instead of vitest's 1 s default.
 * @example
 *   await poll(() => page.locator('#presence [data-client-id]').count()).toBe(2)
 */
export const poll: typeof expect.poll = (fn, options) => expect.poll(fn, { timeout: UI_TIMEOUT, ...options })

/** Waits until the save indicator shows `status`. */
export async function waitForStatus(page: Page, status: string, timeout = 15_000): Promise<void> {
  await page.locator(`#save-status[data-status="${status}"]`).waitFor({ timeout })
}

/** One axe-core rule violation, reduced to what a failure message needs. */
export interface A11yViolation {
  id: string
  impact: string
  help: string
  targets: string[]
}

const axeSource = (): string => {
  const file = createRequire(import.meta.url).resolve('axe-core/axe.min.js')
  return fs.readFileSync(file, 'utf8')
}

/**
 * Runs axe-core (WCAG 2.x A/AA and best-practice rules) on the page as it is now and returns
 * the violations of impact "serious" or "critical".
 */
export async function runAxe(page: Page): Promise<A11yViolation[]> {
  const injected = await page.evaluate(() => 'axe' in window)
  if (!injected) await page.addScriptTag({ content: axeSource() })
  return page.evaluate(async () => {
    interface AxeResult {
      violations: Array<{ id: string; impact?: string | null; help: string; nodes: Array<{ target: unknown[] }> }>
    }
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResult> } }).axe
    const result = await axe.run(document, { resultTypes: ['violations'] })
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact ?? '',
        help: v.help,
        targets: v.nodes.map((n) => n.target.map(String).join(' '))
      }))
  })
}

/** Human-readable list of violations for an assertion message. */
export function describeViolations(violations: A11yViolation[]): string {
  return violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.targets.join('\n    ')}`)
    .join('\n')
}

/** Throws, listing rule ids, help texts and target selectors, if axe finds serious problems. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const violations = await runAxe(page)
  if (violations.length > 0) {
    throw new Error(`axe found serious/critical violations on ${what}:\n${describeViolations(violations)}`)
  }
}

/** Where screenshots of a run go (never committed). */
export const SHOTS_DIR = process.env.VALENCE_SHOTS_DIR ?? '/tmp/valence-shots'

/** Saves a full-page screenshot as `<SHOTS_DIR>/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SHOTS_DIR, { recursive: true })
  const file = path.join(SHOTS_DIR, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}
