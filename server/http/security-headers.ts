/**
 * Security headers on every response (pages, static files, API JSON, errors), set by helmet.
 *
 * - **Content-Security-Policy** (see {@link CSP_DIRECTIVES}): scripts, styles and connections
 *   only from this origin; no inline script, no inline style, no plugins, no `<base>`, and no
 *   framing (`frame-ancestors 'none'`, clickjacking). The built pages have no inline script or
 *   style; the client sets styles only through the CSSOM (`el.style.x = …`, which CSP does not
 *   govern), never through `style="…"` markup.
 * - `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` (for browsers without CSP
 *   `frame-ancestors`), and helmet's other defaults (COOP/CORP same-origin, HSTS, which browsers
 *   honour over HTTPS only, …).
 * - **Referrer-Policy: no-referrer**: invite, sign-up and setup tokens travel in page URLs;
 *   nothing this app does needs a Referer, so none is ever sent.
 */
import helmet from 'helmet'
import type { RequestHandler } from 'express'

/**
 * The Content-Security-Policy. `'self'` in `connect-src` also admits the WebSocket to the same
 * host and port (`ws:` for an `http:` page, `wss:` for `https:`; CSP Level 3). `data:` images
 * are the pages' empty favicon (`<link rel="icon" href="data:,">`).
 */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"]
}

/** The middleware that sets the security headers; mount it before anything else. */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: Object.fromEntries(Object.entries(CSP_DIRECTIVES).map(([k, v]) => [k, [...v]]))
    },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' }
  })
}
