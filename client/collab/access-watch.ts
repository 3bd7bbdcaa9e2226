/**
 * Tells a lost session or lost access apart from a network problem. A refused WebSocket upgrade
 * (401/403/404) looks to the browser like any failed connection, so after repeated failures
 * without an open socket this asks the HTTP API who we are and whether the spec is still ours.
 */
import type { WebsocketProvider } from 'y-websocket'
import { getSession } from '../api/auth.js'
import { ApiError } from '../api/http.js'
import { getSpec } from '../api/specs.js'

/** Why the page stopped trying to connect. */
export type AccessProblem = 'signed-out' | 'no-access' | 'not-found'

/** Failures in a row (without an open socket in between) before the HTTP API is asked. */
export const FAILURES_BEFORE_CHECK = 2

/**
 * Watches `provider`; on a diagnosed problem it disconnects the provider (no more retries) and
 * calls `onProblem` once. Returns a function that stops watching.
 */
export const watchAccess = (
  provider: WebsocketProvider,
  specId: string,
  onProblem: (problem: AccessProblem) => void
): (() => void) => {
  let failures = 0
  let checking = false
  let stopped = false

  const diagnose = async (): Promise<AccessProblem | null> => {
    const session = await getSession()
    if (!session) return 'signed-out'
    try {
      await getSpec(specId)
      return null
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) return 'no-access'
      if (error instanceof ApiError && error.status === 404) return 'not-found'
      if (error instanceof ApiError && error.status === 401) return 'signed-out'
      return null
    }
  }

  const onStatus = ({ status }: { status: string }): void => {
    if (status === 'connected') failures = 0
  }
  const onClose = (event: CloseEvent | null): void => {
    // A null event is a local disconnect (ours or a test's), not a refusal.
    if (event === null || stopped || checking) return
    failures++
    if (failures < FAILURES_BEFORE_CHECK) return
    checking = true
    diagnose()
      .then((problem) => {
        if (problem === null || stopped) return
        stop()
        provider.disconnect()
        onProblem(problem)
      })
      // Offline: the provider keeps retrying and the status says so.
      .catch(() => {})
      .finally(() => {
        checking = false
        failures = 0
      })
  }
  provider.on('status', onStatus)
  provider.on('connection-close', onClose)
  const stop = (): void => {
    stopped = true
    provider.off('status', onStatus)
    provider.off('connection-close', onClose)
  }
  return stop
}
