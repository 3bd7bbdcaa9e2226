/**
 * Starts a worker thread on a module of this server, compiled or not.
 *
 * Compiled (`npm run build`, `node dist/server/main.js`) the module is a `.js` file next to its
 * caller, and Node runs it as it is. From source (tsx, vitest) it is a `.ts` file, and Node 20
 * ignores `--import tsx` in a worker's `execArgv`, so the worker starts from a small eval'd
 * script that registers tsx's loader in that thread before importing the module.
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker, type ResourceLimits } from 'node:worker_threads'

/**
 * The URL of module `name` (without extension) next to the module at `here`
 * (`import.meta.url`): `.ts` when running from source, `.js` when compiled.
 */
export function siblingModule(here: string, name: string): URL {
  const ext = new URL(here).pathname.endsWith('.ts') ? '.ts' : '.js'
  return new URL(`./${name}${ext}`, here)
}

/** Starts `module` (a file URL) in a new worker thread with `workerData`. */
export function startWorker(module: URL, workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  if (!module.pathname.endsWith('.ts')) return new Worker(module, { workerData, resourceLimits })
  const boot = `import(${JSON.stringify(tsxEsmApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(module.href)}) })`
  return new Worker(boot, { eval: true, workerData, resourceLimits })
}

let tsxApi: string | null = null
/**
 * URL of tsx's ESM API (a dev dependency, used only from source). Its CommonJS twin cannot
 * register from an eval'd script (it resolves its ESM half relative to the script), so the
 * ESM entry is read from tsx's package.json exports.
 */
function tsxEsmApi(): string {
  if (tsxApi) return tsxApi
  const pkgFile = createRequire(import.meta.url).resolve('tsx/package.json')
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { exports: Record<string, { import: { default: string } }> }
  tsxApi = pathToFileURL(path.join(path.dirname(pkgFile), pkg.exports['./esm/api']!.import.default)).href
  return tsxApi
}
