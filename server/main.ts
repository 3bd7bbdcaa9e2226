/**
 * Process entry point: parse config, start the service, stop gracefully on SIGTERM/SIGINT, and
 * log (rather than die of) any promise rejection nobody handled.
 */
import { ConfigError, parseConfig } from './config.js'
import { startService } from './service.js'

async function main(): Promise<void> {
  let config
  try {
    config = parseConfig(process.env)
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(2)
    }
    throw err
  }
  const service = await startService(config)
  // Node exits on an unhandled rejection, taking every room with it (issue 7). Each promise on
  // the sync path is caught where it is made; this is the last line: log it and keep serving.
  process.on('unhandledRejection', (reason: unknown) => {
    service.log.error({ err: reason }, 'unhandled promise rejection; still running')
  })
  let signalled = false
  const shutdown = (signal: string): void => {
    if (signalled) return
    signalled = true
    service.log.info({ signal }, 'shutting down')
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        service.log.error({ err }, 'shutdown failed')
        process.exit(1)
      }
    )
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
