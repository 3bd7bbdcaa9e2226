/**
 * Signing in to a Valence child over HTTP, like a browser: the child is started with
 * {@link BENCH_ADMIN_ENV} (the first-run facilitator), the bench logs in for a session cookie
 * and CSRF token, creates specs, and fetches a short-lived WebSocket token per client
 * (`?token=`, y-websocket `params.token`).
 */
import { SESSION_COOKIE } from '../server/auth/cookies.js'

/** Makes a fresh Valence data dir create this facilitator at start (a no-op once one exists). */
export const BENCH_ADMIN_ENV = { ADMIN_EMAIL: 'bench@bench.example', ADMIN_PASSWORD: 'bench password 123' } as const

/** A signed-in session on one server. */
export interface Session {
  /** Creates a spec and returns its id (the room name). */
  createSpec(title: string): Promise<string>
  /** A WebSocket token for `specId`, valid for a few minutes. */
  wsToken(specId: string): Promise<string>
  /**
   * A WebSocket token for `specId` as a customer: a panel invited to the spec and a customer
   * API token of that panel, made on first use per spec.
   */
  customerWsToken(specId: string): Promise<string>
}

async function expectStatus(res: Response, status: number, what: string): Promise<unknown> {
  const text = await res.text()
  if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${text}`)
  return text ? (JSON.parse(text) as unknown) : null
}

/**
 * Waits until the server created its first-run facilitator: the HTTP port answers before
 * first-run setup finished (only the "valence listening" log line waits for it), and a failed
 * sign-in would count against the login throttle.
 */
async function whenSetUp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const res = await fetch(`${url}/api/auth/setup-status`)
    const body = (await expectStatus(res, 200, 'GET /api/auth/setup-status')) as { needsSetup: boolean }
    if (!body.needsSetup) return
    if (Date.now() > deadline) throw new Error(`the server did not finish first-run setup in ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** Logs in as the {@link BENCH_ADMIN_ENV} facilitator at `url`. */
export async function signIn(url: string): Promise<Session> {
  await whenSetUp(url)
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: BENCH_ADMIN_ENV.ADMIN_EMAIL, password: BENCH_ADMIN_ENV.ADMIN_PASSWORD })
  })
  const cookie = login.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))?.split(';')[0]
  const { csrfToken } = (await expectStatus(login, 200, 'POST /api/auth/login')) as { csrfToken: string }
  if (!cookie) throw new Error('POST /api/auth/login set no session cookie')
  const customers = new Map<string, string>()
  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify(body)
    })
  return {
    async createSpec(title) {
      const body = (await expectStatus(await post('/api/specs', { title }), 201, 'POST /api/specs')) as { spec: { id: string } }
      return body.spec.id
    },
    async wsToken(specId) {
      const body = (await expectStatus(await post('/api/auth/ws-token', { specId }), 200, 'POST /api/auth/ws-token')) as { token: string }
      return body.token
    },
    async customerWsToken(specId) {
      let secret = customers.get(specId)
      if (secret === undefined) {
        const { panel } = (await expectStatus(await post('/api/panels', { name: `bench panel ${specId}` }), 201, 'POST /api/panels')) as { panel: { id: string } }
        const invite = await fetch(`${url}/api/panels/${panel.id}/specs/${specId}`, { method: 'PUT', headers: { cookie, 'x-csrf-token': csrfToken } })
        await expectStatus(invite, 200, 'PUT /api/panels/:id/specs/:specId')
        const created = await post('/api/tokens', { name: `bench customer ${specId}`, role: 'customer', panelIds: [panel.id] })
        secret = ((await expectStatus(created, 201, 'POST /api/tokens')) as { secret: string }).secret
        customers.set(specId, secret)
      }
      const res = await fetch(`${url}/api/auth/ws-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify({ specId })
      })
      return ((await expectStatus(res, 200, 'POST /api/auth/ws-token (customer)')) as { token: string }).token
    }
  }
}
