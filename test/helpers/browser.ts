/**
 * Headless Chromium for the browser end-to-end tests, through playwright-core and the system
 * Chromium (`CHROMIUM_PATH`, default `/usr/bin/chromium`).
 *
 * One browser per test file, launched on first use and closed in `afterAll`; every context a test
 * opens is closed in `afterEach`, so tests never share cookies, localStorage or IndexedDB.
 * Uncaught exceptions and Content-Security-Policy violations in any page fail the test that
 * caused them.
 *
 * Every page needs a session. {@link signInContext} puts a principal's session cookie (from
 * `signInAs` in helpers/auth.ts) into a context, as if they had signed in; tests of the sign-in
 * form itself fill `/signin` instead. {@link openEditor} does both steps for a display name.
 *
 * @example
 *   const service = await startTestService()
 *   const id = await createSpec(service, 'Plan')
 *   const alice = await openEditor(service, id, 'Alice') // a new team member named Alice
 *   const customer = await signInAs(service, 'customer', { panelSpecIds: [id], displayName: 'Cleo' })
 *   const cleo = await openEditor(service, id, customer)
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
import type { Service } from '../../server/service.js'
import { signInAs, type SignedIn } from './auth.js'

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
const editors = new Set<Page>()

/** The editor pages of the current test that are still open (for failure messages). */
export const openEditorPages = (): Page[] => [...editors].filter((p) => !p.isClosed())

/** How long a single page action or wait may take (navigation, click, `waitFor`). */
export const ACTION_TIMEOUT = 20_000

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
  editors.clear()
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
  // One stuck step fails with its own message well inside the test's timeout.
  context.setDefaultTimeout(ACTION_TIMEOUT)
  contexts.add(context)
  await context.addInitScript(reportCspViolations, CSP_VIOLATION)
  context.on('page', watchPage)
  return context
}

/** A page in a fresh context, closed after the test. */
export async function newPage(options: BrowserContextOptions = {}): Promise<Page> {
  const context = await newContext(options)
  return context.newPage()
}

/** Prefix of the console line a page logs for each CSP violation (see {@link watchPage}). */
const CSP_VIOLATION = 'CSP violation:'

/** Reports every `securitypolicyviolation` event on the console (runs before page scripts). */
function reportCspViolations(prefix: string): void {
  document.addEventListener('securitypolicyviolation', (e) => {
    console.error(`${prefix} ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`)
  })
}

function watchPage(page: Page): void {
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.stack ?? error.message}`))
  // The server's Content-Security-Policy must never block anything the app itself does.
  page.on('console', (message) => {
    const text = message.text()
    if (text.startsWith(CSP_VIOLATION) || /Content Security Policy/i.test(text)) pageErrors.push(`${page.url()}: ${text}`)
  })
}

/** Something with a base URL, such as a running test service. */
export interface HasUrl {
  readonly url: string
}

/**
 * Signs `context` in as `who` by adding their session cookie (`valence_session=<secret>`, as
 * `signInAs` returns it) for the service's origin: the next page load is signed in.
 */
export async function signInContext(context: BrowserContext, service: HasUrl, who: { cookie: string }): Promise<void> {
  const eq = who.cookie.indexOf('=')
  if (eq <= 0) throw new Error(`not a cookie: ${who.cookie}`)
  await context.addCookies([{ name: who.cookie.slice(0, eq), value: who.cookie.slice(eq + 1), url: service.url }])
}

/** Who opens a page: a signed-in principal, or a display name for a new team member. */
export type Who = SignedIn | string

/** The principal behind `who` (a string makes a new `team` account with that display name). */
export async function personFor(service: Service, who: Who): Promise<SignedIn> {
  return typeof who === 'string' ? signInAs(service, 'team', { displayName: who }) : who
}

/**
 * A page in a fresh context (with `options`) signed in as `who`, not yet navigated.
 * @example
 *   const { page, person } = await signedInPage(service, await facilitatorOf(service))
 *   await page.goto(service.url + '/workspace')
 */
export async function signedInPage(
  service: Service,
  who: Who,
  options: BrowserContextOptions = {}
): Promise<{ page: Page; person: SignedIn }> {
  const person = await personFor(service, who)
  const context = await newContext(options)
  await signInContext(context, service, person)
  return { page: await context.newPage(), person }
}

/**
 * Opens the editor of `specId` as `who` in `page` (its context is signed in as `who`), or in a
 * page of a fresh context when `page` is omitted, and waits until the editor is live.
 */
export async function openEditor(service: Service, specId: string, who: Who, page?: Page): Promise<Page> {
  const person = await personFor(service, who)
  let target = page
  if (target) await signInContext(target.context(), service, person)
  else target = (await signedInPage(service, person)).page
  await target.goto(`${service.url}/specs/${encodeURIComponent(specId)}`)
  await waitForEditor(target)
  return target
}

/**
 * Waits until the editor page has mounted ProseMirror and exposed `window.valence`. Fails with
 * the page's address (a signed-out page lands on `/signin`).
 */
export async function waitForEditor(page: Page, timeout = ACTION_TIMEOUT): Promise<void> {
  try {
    await page.locator('#editor .ProseMirror').waitFor({ timeout })
    await page.waitForFunction(() => 'valence' in window, null, { timeout })
    // Keep the socket's close events for failure messages (see `pageState` in e2e/editor-page.ts).
    editors.add(page)
    await page.evaluate(() => {
      type Closes = Array<[number, number | null, string]>
      const w = window as unknown as {
        valence: { provider: { on(event: 'connection-close', fn: (e: CloseEvent | null) => void): void } }
        valenceCloses?: Closes
      }
      if (w.valenceCloses) return
      const closes: Closes = (w.valenceCloses = [])
      w.valence.provider.on('connection-close', (e) => closes.push([Date.now(), e?.code ?? null, e?.reason ?? '']))
    })
  } catch (error) {
    throw new Error(`the editor did not open (page at ${page.url()}): ${error instanceof Error ? error.message : String(error)}`)
  }
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
 *
 * Why animations are settled first: a remote caret's label fades out over 0.4 s, three seconds
 * after its owner last moved. An axe run that lands inside those 0.4 s measures half-transparent
 * text and reports a contrast failure that no reader ever sees for longer than the fade. So every
 * animation is paused for the run; one already in its active phase is finished first (the state
 * the page reaches a moment later; an endless one, such as the saving dot's pulse, can't be), and
 * the others resume afterwards where they were.
 */
export async function runAxe(page: Page): Promise<A11yViolation[]> {
  const injected = await page.evaluate(() => 'axe' in window)
  // Evaluated through the DevTools protocol: an inline <script> tag would be (rightly) refused
  // by the page's Content-Security-Policy.
  if (!injected) await page.evaluate(axeSource())
  return page.evaluate(async () => {
    interface AxeResult {
      violations: Array<{ id: string; impact?: string | null; help: string; nodes: Array<{ target: unknown[] }> }>
    }
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResult> } }).axe
    const paused: Animation[] = []
    for (const animation of document.getAnimations()) {
      if (animation.playState !== 'running') continue
      const timing = animation.effect?.getComputedTiming()
      const active = timing?.progress !== null && timing?.progress !== undefined
      if (active && timing?.endTime !== Infinity) {
        animation.finish()
      } else {
        animation.pause()
        paused.push(animation)
      }
    }
    let result: AxeResult
    try {
      result = await axe.run(document, { resultTypes: ['violations'] })
    } finally {
      for (const animation of paused) animation.play()
    }
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
