/**
 * Runs only the export part of `npm run bench` (bench/export.ts): `npx tsx bench/export-run.ts`.
 * Settings as in `npm run bench` (BENCH_TRACE, BENCH_EXPORT_RUNS, CHROMIUM_PATH).
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchExport, exportReport } from './export.js'
import { parseOptions } from './options.js'
import { readTrace } from './trace.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const opts = parseOptions(process.env, root)
const result = await benchExport(readTrace(opts.traceFile), { runs: Math.max(1, opts.exportRuns), chromiumPath: opts.chromiumPath }, (line) => console.log(line))
console.log(`\n${exportReport(result).join('\n')}`)
