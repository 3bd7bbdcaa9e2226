/**
 * Human text for the permanent close codes of `shared/protocol.ts`, shown by the status
 * indicator when the server refuses the connection for good.
 */
import { CloseCode } from '../../shared/protocol.js'

/**
 * The identity close codes (docs/PROTOCOL.md, "Close codes"): 4401 the session ended (signed
 * out, expired), 4403 access was revoked (removed from the panel, the panel withdrawn from the
 * spec, the account deactivated).
 */
export const SESSION_ENDED = CloseCode.sessionEnded
export const ACCESS_REVOKED = CloseCode.accessRevoked

/** Close codes after which the page offers to sign in again. */
export const SIGN_IN_AGAIN_CODES: readonly number[] = [SESSION_ENDED]

const messages: Record<number, string> = {
  [CloseCode.malformedMessage]:
    'The server could not read a message from this page. Reload the page to keep editing.',
  [CloseCode.specNotFound]: 'This spec no longer exists or was deleted. Changes here are not saved.',
  [CloseCode.updateRefused]:
    'The server refused a change from this page, so it is no longer saving. Reload the page.',
  [CloseCode.frameTooLarge]:
    'A change was too large to send, so it was not saved. Reload the page and make it in smaller steps.',
  [CloseCode.specTooLarge]:
    'This spec reached its size limit, so the last change was not saved. Reload the page.',
  [CloseCode.unknownMessageType]:
    'The server did not understand this page. Reload the page to keep editing.',
  [CloseCode.incompatibleProtocol]:
    'This page is out of date with the server. Reload the page to keep editing.',
  [SESSION_ENDED]: 'Your access to this spec was removed: your session ended. Sign in again to keep editing.',
  [ACCESS_REVOKED]: 'Your access to this spec was removed.'
}

/** The message for a permanent close; falls back to the server's reason, then a generic text. */
export const closeMessage = (code: number | null, reason = ''): string => {
  const known = code === null ? undefined : messages[code]
  if (known) return known
  const detail = reason.trim()
  return detail === ''
    ? 'The server closed the connection and is no longer saving changes. Reload the page.'
    : `The server closed the connection (${detail}). Changes are no longer saved. Reload the page.`
}
