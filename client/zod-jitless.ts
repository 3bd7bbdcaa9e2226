/**
 * zod, as the browser bundle sees it: every `import … from 'zod'` in code shared with the server
 * (shared/api-*.ts) resolves here in the client build (vite.config.ts `resolve.alias`).
 *
 * Why: zod 4 probes whether `new Function` works when an object schema is built, at module
 * load of the shared API files. The pages' Content-Security-Policy (script-src 'self', no
 * 'unsafe-eval') blocks it, and the browser reports a CSP violation on every page that imports
 * even one constant from those files. In jitless mode zod skips the probe and parses without
 * generated code. ES module order makes this safe: this module's body runs after zod loaded
 * and before any module that imports it builds a schema.
 */
import { config } from 'zod/v4'

config({ jitless: true })

export * from 'zod/v4'
