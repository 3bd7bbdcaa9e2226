/**
 * Credentials for tests. In-process services: {@link signInAs} makes a principal of any role
 * straight through the service's identity store (no password round trip) and returns its
 * session cookie, CSRF token and WebSocket tokens. Child-process servers: start them with
 * {@link CHILD_ADMIN_ENV} and use {@link signInAt}.
 *
 * @example
 *   const service = await startTestService()
 *   const spec = await createSpec(service)
 *   const customer = await signInAs(service, 'customer', { panelSpecIds: [spec] })
 *   const res = await customer.fetch(`/api/specs/${spec}`)
 *   connectClient(service, spec, { token: customer.wsToken(spec) }) // y-websocket params.token
 */
import { randomBytes } from 'node:crypto'
import type { Principal } from '../../shared/identity.js'
import type { Role } from '../../shared/permissions.js'
import type { Service } from '../../server/service.js'
import { hashPassword } from '../../server/auth/passwords.js'
import { SESSION_COOKIE } from '../../server/auth/cookies.js'
import { createApiToken } from '../../server/identity/operations.js'

/** Password of every account made by these helpers. */
export const TEST_PASSWORD = 'test password 123'
let testHash: Promise<string> | null = null
const passwordHash = (): Promise<string> => (testHash ??= hashPassword(TEST_PASSWORD))

/** A signed-in test principal. */
export interface SignedIn {
  principal: Principal
  /** `Cookie` header value carrying the session. */
  cookie: string
  csrfToken: string
  /** Panel the principal was put in (customers and viewers). */
  panelId: string | null
  /** Email of an account (password {@link TEST_PASSWORD}). */
  email: string | null
  /** A fresh short-lived WebSocket token for `?token=` (y-websocket `params.token`). */
  wsToken(specId: string): string
  /** fetch() against the service as this principal (cookie, CSRF header, JSON body). */
  fetch(path: string, init?: JsonRequestInit): Promise<Response>
}

/** fetch() options where `body` may be an object (sent as JSON). */
export interface JsonRequestInit extends Omit<RequestInit, 'body'> {
  body?: unknown
}

/** Options for {@link signInAs}. */
export interface SignInOptions {
  /** Customer/viewer: join this existing panel (else a new panel is made). */
  panelId?: string
  /** Customer/viewer: invite the panel to these specs. */
  panelSpecIds?: string[]
  displayName?: string
}

const unique = (): string => randomBytes(4).toString('hex')

/** Signs in a new principal of `role` on an in-process service. */
export async function signInAs(service: Service, role: Role, opts: SignInOptions = {}): Promise<SignedIn> {
  const store = service.storage.identity
  let participantId: string
  let panelId: string | null = null
  let email: string | null = null
  if (role === 'facilitator' || role === 'team') {
    email = `${role}-${unique()}@test.example`
    const account = await store.createAccount({
      email,
      displayName: opts.displayName ?? `${role[0]!.toUpperCase()}${role.slice(1)} ${unique()}`,
      role,
      passwordHash: await passwordHash()
    })
    participantId = account.id
  } else {
    panelId = opts.panelId ?? (await store.createPanel({ name: `Panel ${unique()}`, description: '' })).id
    for (const specId of opts.panelSpecIds ?? []) await store.setPanelSpec(panelId, specId, true)
    const invitee = await store.createInvitee({ displayName: opts.displayName ?? `${role} ${unique()}`, email: null })
    await store.addMembership(panelId, invitee.id, role)
    participantId = invitee.id
  }
  const { secret, session } = await service.auth.sessions.create(participantId)
  const principal = (await service.auth.access.principalOf(participantId))!
  const cookie = `${SESSION_COOKIE}=${secret}`
  return {
    principal,
    cookie,
    csrfToken: session.csrfToken,
    panelId,
    email,
    wsToken: (specId) => service.auth.wsTokens.issue(participantId, specId).token,
    fetch: (path, init) => jsonFetch(service.url + path, { cookie, csrfToken: session.csrfToken }, init)
  }
}

/** An API token of `role` (customer/viewer tokens reach `panelIds`' specs); use as Bearer. */
export async function tokenAs(service: Service, role: Role, panelIds: string[] = []): Promise<{ id: string; secret: string }> {
  const { token, secret } = await createApiToken(service.storage.identity, { name: `${role} token`, role, createdBy: null, panelIds })
  return { id: token.id, secret }
}

const facilitators = new WeakMap<Service, Promise<SignedIn>>()

/** One facilitator per service, made on first use (what `createSpec` signs in as). */
export function facilitatorOf(service: Service): Promise<SignedIn> {
  let f = facilitators.get(service)
  if (!f) facilitators.set(service, (f = signInAs(service, 'facilitator', { displayName: 'Test facilitator' })))
  return f
}

/** What {@link fetchAs} sends as: a signed-in principal, a bearer secret, or nobody. */
export type Caller = { cookie: string; csrfToken: string } | { bearer: string } | null

/** One request as `caller`; a JSON body is parsed, any other (event streams, pages) is its text. */
export async function fetchAs(
  service: Service | string,
  caller: Caller,
  method: string,
  path: string,
  body?: unknown
): Promise<{ status: number; body: any; headers: Headers }> {
  const base = typeof service === 'string' ? service : service.url
  const creds =
    caller === null ? {} : 'bearer' in caller ? { bearer: caller.bearer } : { cookie: caller.cookie, csrfToken: caller.csrfToken }
  const res = await jsonFetch(base + path, creds, { method, body })
  const text = await res.text()
  const json = /\bjson\b/.test(res.headers.get('content-type') ?? '')
  return { status: res.status, body: text === '' ? null : json ? JSON.parse(text) : text, headers: res.headers }
}

async function jsonFetch(
  url: string,
  creds: { cookie?: string; csrfToken?: string; bearer?: string },
  init: JsonRequestInit = {}
): Promise<Response> {
  const headers = new Headers(init.headers as HeadersInit | undefined)
  if (creds.cookie) headers.set('cookie', creds.cookie)
  if (creds.bearer) headers.set('authorization', `Bearer ${creds.bearer}`)
  const method = (init.method ?? 'GET').toUpperCase()
  if (creds.csrfToken && method !== 'GET' && method !== 'HEAD' && !headers.has('x-csrf-token')) headers.set('x-csrf-token', creds.csrfToken)
  let body: BodyInit | undefined
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body)
    if (!headers.has('content-type')) headers.set('content-type', 'application/json')
  }
  return fetch(url, { ...init, headers, body })
}

/** Environment that makes a child-process server create a facilitator at first start. */
export const CHILD_ADMIN_ENV = { ADMIN_EMAIL: 'admin@test.example', ADMIN_PASSWORD: 'admin password 123' } as const

/** A session on a server reached only over HTTP (child processes). */
export interface RemoteSession {
  cookie: string
  csrfToken: string
  fetch(path: string, init?: JsonRequestInit): Promise<Response>
  /** Asks the server for a WebSocket token (`POST /api/auth/ws-token`). */
  wsToken(specId: string): Promise<string>
  /** Creates a spec and returns its id. */
  createSpec(title?: string): Promise<string>
}

/** Signs in over HTTP (default: the {@link CHILD_ADMIN_ENV} facilitator). */
export async function signInAt(
  url: string,
  email: string = CHILD_ADMIN_ENV.ADMIN_EMAIL,
  password: string = CHILD_ADMIN_ENV.ADMIN_PASSWORD
): Promise<RemoteSession> {
  const res = await jsonFetch(`${url}/api/auth/login`, {}, { method: 'POST', body: { email, password } })
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`)
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!.split(';')[0]!
  const { csrfToken } = (await res.json()) as { csrfToken: string }
  const session: RemoteSession = {
    cookie,
    csrfToken,
    fetch: (path, init) => jsonFetch(url + path, { cookie, csrfToken }, init),
    async wsToken(specId) {
      const r = await session.fetch('/api/auth/ws-token', { method: 'POST', body: { specId } })
      if (r.status !== 200) throw new Error(`ws-token failed: ${r.status} ${await r.text()}`)
      return ((await r.json()) as { token: string }).token
    },
    async createSpec(title = 'Test spec') {
      const r = await session.fetch('/api/specs', { method: 'POST', body: { title } })
      if (r.status !== 201) throw new Error(`create spec failed: ${r.status} ${await r.text()}`)
      return ((await r.json()) as { spec: { id: string } }).spec.id
    }
  }
  return session
}
