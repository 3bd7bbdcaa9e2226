/**
 * The one check of review routes that any reader of a spec may call: the path names a live spec
 * the caller can see, else 404 `spec_not_found`, the same answer for a spec that does not exist
 * and one the caller may not see, so ids do not leak.
 */
import type { Request, Response } from 'express'
import type { Principal } from '../../shared/identity.js'
import type { SpecStore } from '../storage/doc-store.js'
import { SPEC_ID_PATTERN } from '../storage/ids.js'
import type { AccessControl } from '../auth/access-control.js'
import { param, principalOf } from './auth-middleware.js'
import { HttpError } from './errors.js'

/** The caller and the spec of the path (`:id`), if they may see it; else 404. */
export async function readableSpec(req: Request, res: Response, specs: SpecStore, access: AccessControl): Promise<{ principal: Principal; specId: string }> {
  const principal = principalOf(res)
  const specId = param(req, 'id')
  if (!SPEC_ID_PATTERN.test(specId) || !(await specs.get(specId)) || (await access.accessTo(principal, specId)) === 'none') {
    throw new HttpError(404, 'spec_not_found', 'spec not found')
  }
  return { principal, specId }
}
