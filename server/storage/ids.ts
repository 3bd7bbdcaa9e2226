/**
 * Identifiers for specs: random, URL-safe, unguessable.
 */
import { randomBytes } from 'node:crypto'

/** Shape every spec id (and so every room name) must have. */
export const SPEC_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/

/** A new 16-character base64url id (96 random bits). */
export function newSpecId(): string {
  return randomBytes(12).toString('base64url')
}
