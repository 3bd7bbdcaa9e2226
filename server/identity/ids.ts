/**
 * Identifiers for participants, panels, invites and tokens: random and unguessable.
 */
import { randomBytes } from 'node:crypto'

/** Shape of every identity id (also what routes accept before looking anything up). */
export const IDENTITY_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/

/** A fresh random identifier (96 bits, base64url). */
export const newIdentityId = (): string => randomBytes(12).toString('base64url')
