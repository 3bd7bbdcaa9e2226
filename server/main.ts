/**
 * Process entry point: parse config, start the service, stop gracefully on SIGTERM/SIGINT.
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
