/**
 * Turns off zod's JIT in the browser. Imported first by pages that load zod schemas (the review
 * API shapes in shared/): zod probes `new Function` when it builds an object schema, which the
 * server's Content-Security-Policy (`script-src 'self'`, no `unsafe-eval`) rightly refuses and
 * reports as a violation. Without the JIT zod parses the same way, only slower, which the few
 * small review frames a page reads do not notice.
 */
import { z } from 'zod'

z.config({ jitless: true })
