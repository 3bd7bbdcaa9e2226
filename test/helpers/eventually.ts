/**
 * Polling assertions instead of sleeps.
 */

/** Retries `fn` until it stops throwing or `timeoutMs` passes; rethrows the last error. */
export async function eventually<T>(fn: () => T | Promise<T>, timeoutMs = 10_000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await fn()
    } catch (err) {
      if (Date.now() > deadline) throw err
      await sleep(intervalMs)
    }
  }
}

/** Resolves after `ms`. Only for deliberately waiting out a window, never to await a result. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
