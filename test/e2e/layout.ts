/**
 * Layout checks shared by the browser tests: the phone viewport and "nothing reaches past the
 * screen's edge" (WCAG 1.4.10 Reflow). Kept apart from the page helpers because several test
 * files check layout at 375 px.
 */
import { expect } from 'vitest'
import type { Page } from 'playwright-core'

/** A phone: 375 px wide, touch, device pixel ratio 2. */
export const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }

/**
 * The page's scroll width and layout-viewport width, plus (for the failure message) visible
 * elements whose box reaches past `limit`.
 */
const horizontalExtent = (page: Page, limit: number) =>
  page.evaluate((max) => {
    const wide: string[] = []
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const box = el.getBoundingClientRect()
      if (box.width === 0 || box.height === 0 || box.right <= max + 1) continue
      wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${String(el.className)}: right=${Math.round(box.right)}`)
    }
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      wide: wide.slice(0, 10)
    }
  }, limit)

/**
 * No horizontal overflow at `width`. On a phone, content wider than the viewport also widens the
 * layout viewport (the browser zooms the page out), hence the innerWidth check.
 */
export const expectNoOverflow = async (page: Page, width: number): Promise<void> => {
  const { scrollWidth, innerWidth, wide } = await horizontalExtent(page, width)
  const why = `elements reaching past ${width}px (some may be clipped):\n  ${wide.join('\n  ')}`
  expect(scrollWidth, why).toBeLessThanOrEqual(width)
  expect(innerWidth, why).toBe(width)
}
