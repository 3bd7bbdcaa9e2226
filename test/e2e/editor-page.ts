/**
 * Reading and driving the editor page from tests: the live ProseMirror document behind
 * `window.valence`, caret placement, the collaboration provider, remote cursors, and the
 * server's stored copy of a spec.
 */
import * as Y from 'yjs'
import type { Locator, Page } from 'playwright-core'
import type { Service } from '../../server/service.js'
import { UI_TIMEOUT, openEditorPages, poll } from '../helpers/browser.js'
import { FRAGMENT_NAME } from '../../shared/schema.js'
import { pmDoc } from '../helpers/pm-edit.js'

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
    me: { participantId: string; displayName: string; role: string }
    provider: {
      connect(): void
      disconnect(): void
      shouldConnect: boolean
      wsconnected: boolean
      synced: boolean
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

/**
 * What a failure message needs to know about an editor page: its address, save status, whether
 * its socket is connected and synced, and the socket closes seen since it opened.
 */
export const pageState = (page: Page): Promise<unknown> =>
  page
    .evaluate(() => {
      const w = window as unknown as ValenceWindow & { valenceCloses?: unknown[] }
      const status = document.querySelector('#save-status')
      return {
        url: window.location.href,
        status: status?.getAttribute('data-status') ?? null,
        statusText: status?.textContent ?? null,
        connected: w.valence?.provider.wsconnected ?? null,
        synced: w.valence?.provider.synced ?? null,
        closes: w.valenceCloses ?? []
      }
    })
    .catch((error: unknown) => `unavailable: ${String(error)}`)

/**
 * Waits until the page's blocks read `expected` (strings or asymmetric matchers); a failure says
 * what state every open editor page is in.
 */
export const expectBlocks = async (page: Page, expected: unknown[], timeout = UI_TIMEOUT): Promise<void> => {
  try {
    await poll(() => blockTexts(page), { timeout }).toEqual(expected)
  } catch (error) {
    if (error instanceof Error) {
      const states = await Promise.all(
        openEditorPages().map(async (p) => `${p === page ? 'this page' : 'other page'}: ${JSON.stringify(await pageState(p))}`)
      )
      error.message += `\n${states.join('\n')}`
    }
    throw error
  }
}

/** Where the caret helpers put the caret. */
type CaretTarget = 'title-end' | 'doc-end'

/** Resolves once ProseMirror's own selection is a caret at `where`; rejects after `timeout`. */
const waitForCaret = async (page: Page, where: CaretTarget, timeout: number): Promise<void> => {
  await page.waitForFunction(
    (target) => {
      interface PmNode {
        isTextblock: boolean
        lastChild: PmNode | null
        firstChild: PmNode | null
        content: { size: number }
      }
      const view = (window as unknown as { valence?: { view: { state: { doc: PmNode; selection: { empty: boolean; head: number } } } } })
        .valence?.view
      if (!view) return false
      const { doc, selection } = view.state
      let pos: number
      if (target === 'title-end') {
        pos = 1 + (doc.firstChild?.content.size ?? 0)
      } else {
        // The end of the last textblock: one closing token up per level of nesting.
        pos = doc.content.size
        let node: PmNode | null = doc
        while (node && !node.isTextblock) {
          node = node.lastChild
          pos -= 1
        }
      }
      return selection.empty && selection.head === pos
    },
    where,
    { timeout }
  )
}

/**
 * Focuses the editor, presses `keys` and waits until ProseMirror itself has the caret at `where`.
 * A caret moved with the keyboard lives only in the DOM until ProseMirror handles the browser's
 * `selectionchange`; a transaction dispatched in between (a remote cursor or edit arriving)
 * writes ProseMirror's older selection back to the DOM, and the next keystrokes would land
 * there. Known race, reported; the keys are pressed again (up to 3 times) when it happens.
 */
const moveCaret = async (page: Page, keys: string[], where: CaretTarget): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    await page.locator('#editor .ProseMirror').focus()
    for (const key of keys) await page.keyboard.press(key)
    try {
      return await waitForCaret(page, where, 2_000)
    } catch (error) {
      if (attempt === 3) throw error
    }
  }
}

/** Focuses the editor and puts the caret at the end of the title. */
export const caretInTitle = (page: Page): Promise<void> => moveCaret(page, ['Control+Home', 'End'], 'title-end')

/**
 * Replaces the spec's title by typing `text` over it, as a person would: the caret goes to the
 * end of the title block, Shift+Home selects the title (once ProseMirror itself holds that
 * selection: the `moveCaret` race), and the typing replaces it. A new spec's title block holds
 * the title it was created with.
 */
export const typeTitle = async (page: Page, text: string): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    await caretInTitle(page)
    await page.keyboard.press('Shift+Home')
    try {
      await page.waitForFunction(
        () => {
          const view = (window as unknown as { valence?: { view: { state: { doc: { firstChild: { content: { size: number } } | null }; selection: { from: number; to: number } } } } })
            .valence?.view
          if (!view) return false
          const size = view.state.doc.firstChild?.content.size ?? 0
          return size === 0 || (view.state.selection.from === 1 && view.state.selection.to === 1 + size)
        },
        undefined,
        { timeout: 2_000 }
      )
      break
    } catch (error) {
      if (attempt === 3) throw error
    }
  }
  await page.keyboard.type(text)
}

/**
 * Waits (2 s) until ProseMirror's own caret is `back` characters before the end of the first
 * textblock whose text starts with `blockStart`.
 */
const waitForCaretBeforeEnd = (page: Page, blockStart: string, back: number): Promise<unknown> =>
  page.waitForFunction(
    ({ start, back }) => {
      type PmNode = { textContent: string; isTextblock: boolean; content: { size: number } }
      const view = (window as unknown as { valence?: { view: { state: { doc: { forEach(fn: (n: PmNode, offset: number) => void): void }; selection: { empty: boolean; head: number } } } } })
        .valence?.view
      if (!view) return false
      let end = -1
      view.state.doc.forEach((node, offset) => {
        if (end < 0 && node.isTextblock && node.textContent.startsWith(start)) end = offset + 1 + node.content.size
      })
      return view.state.selection.empty && view.state.selection.head === end - back
    },
    { start: blockStart, back },
    { timeout: 2_000 }
  )

/**
 * Clicks into the block whose text starts with `blockStart`, presses End, and waits until
 * ProseMirror's own caret is at the end of that block (pressing again, up to 3 times, for the
 * `moveCaret` race).
 */
export const caretAtEndOfBlock = async (page: Page, blockStart: string): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    await page.locator('#editor .ProseMirror > *', { hasText: blockStart }).first().click()
    await page.keyboard.press('End')
    try {
      await waitForCaretBeforeEnd(page, blockStart, 0)
      return
    } catch (error) {
      if (attempt === 3) throw error
    }
  }
}

/**
 * Puts the caret `back` characters before the end of the block whose text starts with
 * `blockStart`, with ArrowLeft presses as a person would, and waits until ProseMirror's own caret
 * is there. The presses can be lost to the `moveCaret` race (a remote cursor or attribution
 * update arriving between a keypress and its `selectionchange`), so the whole move is made again
 * (up to 3 times) when it happens.
 */
export const caretBeforeEndOfBlock = async (page: Page, blockStart: string, back: number): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    await caretAtEndOfBlock(page, blockStart)
    for (let i = 0; i < back; i++) await page.keyboard.press('ArrowLeft')
    try {
      await waitForCaretBeforeEnd(page, blockStart, back)
      return
    } catch (error) {
      if (attempt === 3) throw error
    }
  }
}

/** Focuses the editor and puts the caret at the very end of the document. */
export const caretAtEnd = (page: Page): Promise<void> => moveCaret(page, ['Control+End'], 'doc-end')

/**
 * Presses Shift+Home at the end of the block holding `text` and waits until ProseMirror's own
 * selection is a non-empty end of it (all of it, or its last visual line when it wraps); the keys
 * are pressed again (up to 3 times) for the same race as `moveCaret`.
 */
export const selectToLineStart = async (page: Page, text: string): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Shift+Home')
    try {
      await page.waitForFunction(
        (expected) => {
          const view = (
            window as unknown as {
              valence?: { view: { state: { doc: { textBetween(a: number, b: number): string }; selection: { from: number; to: number } } } }
            }
          ).valence?.view
          if (!view) return false
          const { from, to } = view.state.selection
          return from < to && expected.endsWith(view.state.doc.textBetween(from, to))
        },
        text,
        { timeout: 2_000 }
      )
      return
    } catch (error) {
      if (attempt === 3) throw error
      await caretAtEnd(page)
    }
  }
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

/**
 * The remote cursor of the person named `name` (`.ProseMirror-yjs-cursor` whose `.cursor-name`
 * is exactly `name`); its role label is `.cursor-role[data-role]`.
 */
export const cursorOf = (page: Page, name: string): Locator =>
  page.locator('#editor .ProseMirror-yjs-cursor', { has: page.locator('.cursor-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }) })

/** Waits until `page` shows `name`'s cursor labelled with the role `roleLabel` ("Team", "Customer"). */
export const expectCursor = async (page: Page, name: string, roleLabel: string): Promise<void> => {
  const cursor = cursorOf(page, name)
  await cursor.first().waitFor({ timeout: UI_TIMEOUT })
  await poll(() => cursor.first().locator('.cursor-role').textContent()).toBe(roleLabel)
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The avatars of everyone in the spec (yourself included). */
export const avatars = (page: Page): Locator => page.locator('#presence .avatar[data-client-id]')

/** The blocks of `specId` as the server has durably stored them (`[title, …blocks]`; `[]` if never edited). */
export const storedBlocks = async (service: Service, specId: string): Promise<string[]> => {
  const doc = new Y.Doc()
  for (const update of (await service.storage.docs.load(specId)).updates) Y.applyUpdate(doc, update)
  const texts: string[] = []
  // A spec nobody has edited yet has no content at all (the editor seeds it on the first edit).
  if (doc.getXmlFragment(FRAGMENT_NAME).length > 0) pmDoc(doc).forEach((node) => texts.push(node.textContent))
  return texts
}

/** The identity the editor page runs as (`window.valence.me`). */
export const pageMe = (page: Page): Promise<{ participantId: string; displayName: string; role: string }> =>
  page.evaluate(() => {
    const valence = (window as unknown as ValenceWindow).valence
    if (!valence) throw new Error('window.valence is missing')
    return valence.me
  })
