import { describe, expect, it } from 'vitest'
import { startTestService } from '../helpers/server.js'
import type { Service } from '../../server/service.js'
import { facilitatorOf } from '../helpers/auth.js'

/** One request as the service's test facilitator (session cookie + CSRF header). */
async function call(service: Service, method: string, path: string, body?: string | object) {
  const facilitator = await facilitatorOf(service)
  const res = await facilitator.fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) })
  })
  const text = await res.text()
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : null }
}

describe('HTTP API', () => {
  it('creates, lists, gets, renames and soft-deletes specs', async () => {
    const service = await startTestService({ storage: 'sqlite' })
    const created = await call(service, 'POST', '/api/specs', { title: '  Offline mode  ' })
    expect(created.status).toBe(201)
    const spec = created.body!.spec
    expect(spec).toMatchObject({ title: 'Offline mode' })
    expect(spec.id).toMatch(/^[A-Za-z0-9_-]{16}$/)
    // The list adds the caller's unread answers to each spec (none yet).
    expect((await call(service, 'GET', '/api/specs')).body!.specs).toEqual([{ ...spec, unreadAnswers: 0 }])
    expect((await call(service, 'GET', `/api/specs/${spec.id}`)).body!.spec).toEqual(spec)
    const renamed = await call(service, 'PATCH', `/api/specs/${spec.id}`, { title: 'Offline sync' })
    expect(renamed.status).toBe(200)
    expect(renamed.body!.spec.title).toBe('Offline sync')
    expect((await call(service, 'DELETE', `/api/specs/${spec.id}`)).status).toBe(204)
    expect((await call(service, 'GET', `/api/specs/${spec.id}`)).status).toBe(404)
    expect((await call(service, 'GET', '/api/specs')).body!.specs).toEqual([])
    // Soft delete: the document log is kept.
    expect((await service.storage.docs.load(spec.id)).updates.length).toBeGreaterThan(0)
  })

  it('answers bad requests with 4xx and a JSON error, storing nothing', async () => {
    const service = await startTestService()
    const cases: Array<[string, string, string | object | undefined, number, string]> = [
      ['POST', '/api/specs', '{"title": ', 400, 'invalid_json'],
      ['POST', '/api/specs', { title: 'x', admin: true }, 400, 'invalid_body'],
      ['POST', '/api/specs', { title: '' }, 400, 'invalid_body'],
      ['POST', '/api/specs', { title: 42 }, 400, 'invalid_body'],
      ['POST', '/api/specs', [], 400, 'invalid_body'],
      ['POST', '/api/specs', { title: 'x'.repeat(201) }, 400, 'invalid_body'],
      ['POST', '/api/specs', JSON.stringify({ title: 'x'.repeat(70_000) }), 413, 'payload_too_large'],
      ['PATCH', '/api/specs/unknownspec1', { title: 'x' }, 404, 'spec_not_found'],
      ['GET', '/api/specs/..%2F..%2Fetc', undefined, 404, 'spec_not_found'],
      ['DELETE', '/api/specs/unknownspec1', undefined, 404, 'spec_not_found'],
      ['GET', '/api/nothing', undefined, 404, 'not_found'],
      ['PUT', '/api/specs', { title: 'x' }, 404, 'not_found']
    ]
    for (const [method, path, body, status, code] of cases) {
      const res = await call(service, method, path, body)
      expect(res.status, `${method} ${path}`).toBe(status)
      expect(res.body!.error.code, `${method} ${path}`).toBe(code)
      expect(typeof res.body!.error.message).toBe('string')
    }
    expect((await call(service, 'GET', '/api/specs')).body!.specs).toEqual([])
  })

  it('has liveness and readiness probes', async () => {
    const service = await startTestService({ storage: 'sqlite' })
    expect(await call(service, 'GET', '/healthz')).toEqual({ status: 200, body: { status: 'ok' } })
    expect(await call(service, 'GET', '/readyz')).toEqual({ status: 200, body: { status: 'ready' } })
  })
})
