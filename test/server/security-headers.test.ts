/**
 * Security headers (helmet) on every response: pages, static assets, API JSON, errors and the
 * health probe. The Content-Security-Policy allows no inline script or style and no framing.
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { startTestService, tempDir } from '../helpers/server.js'

/** A tiny built client: two pages and one asset. */
function fakeClient(): string {
  const dir = tempDir('valence-client-')
  fs.mkdirSync(path.join(dir, 'assets'))
  const page = '<!doctype html><title>x</title><script type="module" src="/assets/app.js"></script>'
  fs.writeFileSync(path.join(dir, 'index.html'), page)
  fs.writeFileSync(path.join(dir, 'invite.html'), page)
  fs.writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log(1)\n')
  return dir
}

/** The CSP as directive → sources. */
function parseCsp(header: string | null): Map<string, string[]> {
  const directives = new Map<string, string[]>()
  for (const part of (header ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/)
    if (name) directives.set(name, sources)
  }
  return directives
}

describe('security headers', () => {
  it('every kind of response carries the CSP, nosniff, no-referrer and frame denial', async () => {
    const service = await startTestService({ clientDir: fakeClient() })
    const cases: Array<[string, number, RegExp]> = [
      ['/', 200, /text\/html/],
      ['/invite/some-invite-token', 200, /text\/html/],
      ['/assets/app.js', 200, /javascript/],
      ['/api/auth/setup-status', 200, /application\/json/],
      ['/api/specs', 401, /application\/json/],
      ['/api/nothing-here', 404, /application\/json/],
      ['/no-such-page', 404, /application\/json/],
      ['/healthz', 200, /application\/json/]
    ]
    for (const [url, status, type] of cases) {
      const res = await fetch(service.url + url)
      const what = `${url} (${res.status})`
      expect(res.status, what).toBe(status)
      expect(res.headers.get('content-type'), what).toMatch(type)
      expect(res.headers.get('x-content-type-options'), what).toBe('nosniff')
      expect(res.headers.get('referrer-policy'), what).toBe('no-referrer')
      expect(res.headers.get('x-frame-options'), what).toBe('DENY')
      expect(res.headers.get('x-powered-by'), what).toBeNull()
      const csp = parseCsp(res.headers.get('content-security-policy'))
      expect(csp.get('frame-ancestors'), what).toEqual(["'none'"])
      expect(csp.get('default-src'), what).toEqual(["'self'"])
      expect(csp.get('script-src'), what).toEqual(["'self'"])
      expect(csp.get('script-src-attr'), what).toEqual(["'none'"])
      expect(csp.get('style-src'), what).toEqual(["'self'"])
      expect(csp.get('connect-src'), what).toEqual(["'self'"])
      expect(csp.get('object-src'), what).toEqual(["'none'"])
      expect(csp.get('base-uri'), what).toEqual(["'none'"])
      expect(res.headers.get('content-security-policy'), what).not.toMatch(/unsafe-(inline|eval)/)
    }
  })

  it('the built pages have no inline script or style for the CSP to block', () => {
    const dir = path.resolve('dist/client')
    const pages = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.html')) : []
    // Without a build (`npm run build`) there is nothing to check; `npm test` always builds.
    for (const file of pages) {
      const html = fs.readFileSync(path.join(dir, file), 'utf8')
      for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag, `${file}: ${tag}`).toMatch(/\bsrc=/)
      expect(html, file).not.toMatch(/<style\b/i)
      expect(html, file).not.toMatch(/\sstyle=/i)
      expect(html, file).not.toMatch(/\son[a-z]+=/i)
    }
  })
})
