/**
 * Domain errors of the sync layer (besides UpdateRefusedError, which belongs to validation).
 */

/** An update adds clocks to a clientID that another open connection writes with. */
export class ClientInUseError extends Error {
  readonly code = 'client_in_use'

  constructor(readonly client: number) {
    super(`clientID ${client} is written by another connection`)
    this.name = 'ClientInUseError'
  }
}
