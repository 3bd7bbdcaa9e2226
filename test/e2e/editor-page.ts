/**
 * Reading and driving the editor page from tests: the live ProseMirror document behind
 * `window.valence`, caret placement and the collaboration provider.
 */
import type { Page } from 'playwright-core'
import { UI_TIMEOUT, poll } from '../helpers/browser.js'

/** The part of the page's `window.valence` these tests touch. */
interface ValenceWindow {
  valence?: {
    view: {
      state: {
        doc: {
          toJSON(): unknown
          forEach(fn: (node: { textContent: string }) => void): void
        }
      }
    }
    provider: {
      connect(): void
      disconnect(): void
      shouldConnect: boolean
      ws: { close(): void } | null
    }
  }
}

/** The ProseMirror document of the page as JSON. */
export const docJson = (page: Page): Promise<unknown> =>
  page.evaluate(() => {
    const valence = (window as unknown as ValenceWindow).valence
    if (!valence) throw new Error('window.valence is missing')
    return valence.view.state.doc.toJSON()
  })

/** The text of each top-level block: `[title, …blocks]`. */
export const blockTexts = (page: Page): Promise<string[]> =>
  page.evaluate(() => {
    const valence = (window as unknown as ValenceWindow).valence
    if (!valence) throw new Error('window.valence is missing')
    const texts: string[] = []
    valence.view.state.doc.forEach((node) => texts.push(node.textContent))
    return texts
  })

/** Waits until the page's blocks read `expected`. */
export const expectBlocks = async (page: Page, expected: string[], timeout = UI_TIMEOUT): Promise<void> => {
  await poll(() => blockTexts(page), { timeout }).toEqual(expected)
}

/** Focuses the editor and puts the caret at the end of the title. */
export const caretInTitle = async (page: Page): Promise<void> => {
  await page.locator('#editor .ProseMirror').focus()
  await page.keyboard.press('Control+Home')
  await page.keyboard.press('End')
}

/** Focuses the editor and puts the caret at the very end of the document. */
export const caretAtEnd = async (page: Page): Promise<void> => {
  await page.locator('#editor .ProseMirror').focus()
  await page.keyboard.press('Control+End')
}

/** Connects or disconnects the page's collaboration provider (`provider.connect()`/`disconnect()`). */
export const setConnected = (page: Page, connected: boolean): Promise<void> =>
  page.evaluate((on) => {
    const valence = (window as unknown as ValenceWindow).valence
    if (!valence) throw new Error('window.valence is missing')
    if (on) valence.provider.connect()
    else valence.provider.disconnect()
  }, connected)

/**
 * Closes the page's collaboration socket the way a dropped network looks to the server: no
 * awareness goodbye first (unlike `provider.disconnect()`). The provider stays disconnected until
 * {@link setConnected}; resolves once the page has seen the close.
 */
export const dropConnection = async (page: Page): Promise<void> => {
  await page.evaluate(() => {
    const valence = (window as unknown as ValenceWindow).valence
    if (!valence) throw new Error('window.valence is missing')
    valence.provider.shouldConnect = false
    valence.provider.ws?.close()
  })
  await page.waitForFunction(() => (window as unknown as ValenceWindow).valence?.provider.ws === null)
}
