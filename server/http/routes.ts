/**
 * Declared routes: every route is registered together with what it requires, so none can be
 * added without saying who may call it. A requirement is an {@link Action} of the permission
 * matrix (shared/permissions.ts), {@link SIGNED_IN} (any authenticated caller: their own session,
 * their own password), or {@link PUBLIC} (sign-in, setup, invite previews, health, pages).
 *
 * The guard that enforces the requirement is the route's first handler and carries the
 * declaration, so the route table can be read back from the express app itself
 * ({@link listRoutes}): test/server/permissions-routes.test.ts fails on any route registered
 * without one, and generates its permission cases from the declarations.
 *
 * @example
 * export function widgetsRouter(): Router {
 *   const routes = declareRoutes(Router())
 *   routes.get('/', 'spec:read', async (_req, res) => { ... })
 *   routes.post('/', 'spec:create', requireJson, async (req, res) => { ... })
 *   return routes.router
 * }
 */
import type { IRouter, RequestHandler } from 'express'
import type { Action } from '../../shared/permissions.js'
import { principalOf, requirePermission } from './auth-middleware.js'

/** Anyone may call the route, signed in or not. */
export const PUBLIC = 'public'
/** Any authenticated caller may call the route (401 otherwise), whatever their role. */
export const SIGNED_IN = 'signed-in'

/** What a route requires of its caller. */
export type RouteAccess = Action | typeof PUBLIC | typeof SIGNED_IN

/** HTTP methods routes are declared for. */
export type RouteMethod = 'get' | 'post' | 'put' | 'patch' | 'delete'

/** Marks the guard handler of a declared route with its requirement. */
const ROUTE_ACCESS = Symbol('route access')

type Guard = RequestHandler & { [ROUTE_ACCESS]: RouteAccess }

const guards = new Map<RouteAccess, Guard>()

/** The handler enforcing `access` (401 anonymous, 403 a role the matrix does not allow). */
function guardFor(access: RouteAccess): Guard {
  let guard = guards.get(access)
  if (!guard) {
    const check: RequestHandler =
      access === PUBLIC ? (_req, _res, next) => next()
      : access === SIGNED_IN ? (_req, res, next) => {
          principalOf(res)
          next()
        }
      : requirePermission(access)
    guard = Object.assign(check, { [ROUTE_ACCESS]: access })
    guards.set(access, guard)
  }
  return guard
}

/** A router whose every route declares its requirement. */
export interface DeclaredRoutes<R extends IRouter> {
  /** The underlying router, to mount. */
  readonly router: R
  get(path: string, access: RouteAccess, ...handlers: RequestHandler[]): this
  post(path: string, access: RouteAccess, ...handlers: RequestHandler[]): this
  put(path: string, access: RouteAccess, ...handlers: RequestHandler[]): this
  patch(path: string, access: RouteAccess, ...handlers: RequestHandler[]): this
  delete(path: string, access: RouteAccess, ...handlers: RequestHandler[]): this
}

/** Wraps `router` (an express Router or app) so that routes are added only with a requirement. */
export function declareRoutes<R extends IRouter>(router: R): DeclaredRoutes<R> {
  const add =
    (method: RouteMethod) =>
    (path: string, access: RouteAccess, ...handlers: RequestHandler[]): DeclaredRoutes<R> => {
      if (handlers.length === 0) throw new TypeError(`${method.toUpperCase()} ${path}: no handler`)
      router[method](path, guardFor(access), ...handlers)
      return routes
    }
  const routes: DeclaredRoutes<R> = {
    router,
    get: add('get'),
    post: add('post'),
    put: add('put'),
    patch: add('patch'),
    delete: add('delete')
  }
  return routes
}

/** One route of an app, as {@link listRoutes} finds it. */
export interface ListedRoute {
  /** Upper-case HTTP method. */
  method: string
  /** Full path pattern, mount paths included (e.g. `/api/specs/:id`). */
  path: string
  /** Its declared requirement; null for a route registered without {@link declareRoutes}. */
  access: RouteAccess | null
}

/** `/api/specs` + `/` is `/api/specs`, as express matches it. */
const joinPath = (prefix: string, path: string): string => (prefix !== '' && path === '/' ? prefix : prefix + path)

/** The parts of express 5's router layers (router 2.x) that {@link listRoutes} reads. */
interface LayerLike {
  rawPath?: unknown
  route?: { path: unknown; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> }
  handle?: { stack?: LayerLike[] }
}

/**
 * Every route registered on `app`, through mounted routers, in registration order, with its
 * declared requirement. Reads express's router stack (express 5 / router 2.x).
 */
export function listRoutes(app: { router: { stack: unknown[] } }): ListedRoute[] {
  const out: ListedRoute[] = []
  const walk = (stack: LayerLike[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        const first = layer.route.stack[0]?.handle as Partial<Guard> | undefined
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (!on || method === '_all') continue
          out.push({ method: method.toUpperCase(), path: joinPath(prefix, String(layer.route.path)), access: first?.[ROUTE_ACCESS] ?? null })
        }
      } else if (Array.isArray(layer.handle?.stack)) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''
        walk(layer.handle.stack, prefix + mount)
      }
    }
  }
  walk(app.router.stack as LayerLike[], '')
  return out
}
