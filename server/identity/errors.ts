/**
 * Identity failures: one error type with a machine-readable code. The HTTP layer maps each
 * code to a status (server/http/errors.ts); the CLI prints code and message.
 */

/** Every identity failure code. */
export const IDENTITY_ERROR_CODES = [
  'invalid_credentials',
  'rate_limited',
  'email_taken',
  'last_facilitator',
  'setup_done',
  'invalid_setup_token',
  'invite_not_found',
  'invite_expired',
  'invite_revoked',
  'invite_used_up',
  'membership_removed',
  'identity_choice_required',
  'no_current_identity',
  'signup_not_found',
  'signup_expired',
  'signup_used',
  'panel_not_found',
  'spec_not_found',
  'member_not_found',
  'token_not_found',
  'not_an_account',
  'account_deactivated',
  'same_participant',
  'not_an_invitee',
  'already_merged',
  'merged_away'
] as const
export type IdentityErrorCode = (typeof IDENTITY_ERROR_CODES)[number]

/** A refused identity operation. */
export class IdentityError extends Error {
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
    /** Seconds until a retry may succeed (`rate_limited`). */
    readonly retryAfterSeconds?: number
  ) {
    super(message)
    this.name = 'IdentityError'
  }
}
