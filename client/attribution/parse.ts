/**
 * Reads the attribution the server sends (message 101, or `GET /api/specs/:id/attribution`).
 *
 * The text comes from the network, so it is checked before anything renders it: a malformed or
 * newer-version payload is dropped (the previous attribution stays) instead of throwing inside
 * the socket's message handler.
 */
import { ATTRIBUTION_VERSION, type BlockAttribution, type SpecAttribution } from '../../shared/attribution.js'

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null

/** A mover as the server sends it (`lastMovedAt` an ISO time or null). */
const isMover = (m: unknown): boolean =>
  isObject(m) &&
  typeof m.participantId === 'string' &&
  typeof m.displayName === 'string' &&
  typeof m.chars === 'number' &&
  (m.lastMovedAt === null || (typeof m.lastMovedAt === 'string' && !Number.isNaN(Date.parse(m.lastMovedAt))))

const isBlock = (value: unknown): value is BlockAttribution =>
  isObject(value) &&
  typeof value.type === 'string' &&
  Array.isArray(value.path) &&
  value.path.every((i) => Number.isInteger(i) && (i as number) >= 0) &&
  typeof value.excerpt === 'string' &&
  typeof value.length === 'number' &&
  Array.isArray(value.contributors) &&
  value.contributors.every((c) => isObject(c) && typeof c.participantId === 'string' && typeof c.displayName === 'string') &&
  isObject(value.byGroup) &&
  typeof value.customerShare === 'number' &&
  typeof value.label === 'string' &&
  Array.isArray(value.runs) &&
  value.runs.every((r) => isObject(r) && typeof r.length === 'number' && r.length >= 0) &&
  // Added to version 1 later (shared/attribution.ts): absent reads as nobody.
  (value.movers === undefined || (Array.isArray(value.movers) && value.movers.every(isMover)))

/**
 * Parses the JSON text of a {@link SpecAttribution}; `null` if it is not one this client can
 * show (bad JSON, other version, malformed block).
 *
 * @example
 *   const attribution = parseAttribution(readAttribution(decoder))
 *   if (attribution) setAttribution(attribution)(view.state, view.dispatch)
 */
export const parseAttribution = (json: string): SpecAttribution | null => {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return null
  }
  if (!isObject(value) || value.version !== ATTRIBUTION_VERSION || !Array.isArray(value.blocks)) return null
  if (!value.blocks.every(isBlock)) return null
  for (const block of value.blocks as unknown as Array<Record<string, unknown>>) block.movers ??= []
  return value as unknown as SpecAttribution
}
