/**
 * Bench settings: defaults sized for a full run in well under five minutes on two cores, each
 * overridable by one environment variable (read here only).
 */
import path from 'node:path'

/** Everything `npm run bench` can be told. */
export interface BenchOptions {
  /** Clients per room, one fan-out part each (BENCH_NS, comma-separated). */
  ns: number[]
  /** Measured rounds per server, mode and N (BENCH_ROUNDS). */
  rounds: number
  /** Writes per closed-loop round (BENCH_UPDATES). */
  closedUpdates: number
  /** Time budget per closed-loop round in seconds (BENCH_ROUND_SECONDS); bounds the runtime on a slow or busy machine. */
  closedBudgetMs: number
  /** Writes per fixed-rate round (BENCH_RATE_UPDATES) and their rate per second (BENCH_RATE). */
  rateUpdates: number
  rate: number
  /** Unmeasured writes per server before the rounds (BENCH_WARMUP). */
  warmup: number
  /** Cold starts per database variant (BENCH_COLD_RUNS; 0 skips the cold-load part). */
  coldRuns: number
  /**
   * Interleaved whole replays per layout of the one-paragraph attribution bench
   * (BENCH_PARAGRAPH_ROUNDS; 0 measures only the windows at 10k/50k/100k characters).
   */
  paragraphRounds: number
  /**
   * Timed `GET /contributions` requests per caller of the listing bench (contributions-listing.ts;
   * BENCH_LISTING_REQUESTS, 0 skips it).
   */
  listingRequests: number
  /**
   * Keystrokes per run of the whole-sync-path review bench (review-sync-path.ts; each is acked,
   * so ~2-3 ms apiece with fsync; BENCH_REVIEW_SYNC_UPDATES, 0 skips it).
   */
  reviewSyncUpdates: number
  /** Renders per format of the export bench (export.ts; BENCH_EXPORT_RUNS, 0 skips it). */
  exportRuns: number
  /** Chromium that prints the export bench's PDFs (CHROMIUM_PATH, as the server's config). */
  chromiumPath: string
  /** Skip the fan-out part (BENCH_SKIP_FANOUT=1). */
  skipFanout: boolean
  /** The editing trace (BENCH_TRACE). */
  traceFile: string
  /** Write a V8 CPU profile of each fan-out server child into this folder (BENCH_CPU_PROF=dir). */
  cpuProfDir: string | null
  /**
   * Extra environment of the Valence child, for diagnostics only (BENCH_VALENCE_ENV, e.g.
   * `SQLITE_SYNCHRONOUS=NORMAL COMMIT_WINDOW_MS=5`); the report names it when set.
   */
  valenceEnv: Record<string, string>
  /** Where results JSON goes. */
  outDir: string
  /** Required CPU ratio Valence / reference. */
  targetRatio: number
  /** The attack bench (attack.ts), or null when skipped (BENCH_ATTACK=0). */
  attack: AttackOptions | null
}

/** Settings of the attack bench. */
export interface AttackOptions {
  /** How long each attack runs while the victim room is measured (BENCH_ATTACK_SECONDS, default 8). */
  windowMs: number
  /** Victim writes per second, two clients alternating (BENCH_ATTACK_RATE, default 40). */
  rate: number
  /** Attack names to run, all when empty (BENCH_ATTACK_ONLY, comma-separated). */
  only: string[]
  /** Run `server/main.ts` of another checkout, e.g. the code before the limits (BENCH_ATTACK_SERVER_ROOT). */
  serverRoot: string | null
  /** Extra environment of the Valence child (BENCH_VALENCE_ENV, shared with the fan-out part). */
  valenceEnv: Record<string, string>
  /** Victim p99 target in ms. */
  targetP99Ms: number
  /** Write a V8 CPU profile of each server child into this folder (BENCH_CPU_PROF, shared). */
  cpuProfDir: string | null
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${raw}`)
  return n
}

function parseEnvList(raw: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of raw.split(/\s+/).filter(Boolean)) {
    const eq = pair.indexOf('=')
    if (eq < 1) throw new RangeError(`BENCH_VALENCE_ENV: expected NAME=value, got ${pair}`)
    out[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  return out
}

/** Reads the options from `env`, relative to the repository root `root`. */
export function parseOptions(env: NodeJS.ProcessEnv, root: string): BenchOptions {
  const ns = (env.BENCH_NS ?? '10,50').split(',').map((s) => Number(s.trim()))
  if (ns.some((n) => !Number.isInteger(n) || n < 2)) throw new RangeError(`BENCH_NS must list integers >= 2, got ${env.BENCH_NS}`)
  return {
    ns,
    rounds: int(env, 'BENCH_ROUNDS', 3, 1),
    closedUpdates: int(env, 'BENCH_UPDATES', 2000, 1),
    closedBudgetMs: int(env, 'BENCH_ROUND_SECONDS', 12, 1) * 1000,
    rateUpdates: int(env, 'BENCH_RATE_UPDATES', 1000, 1),
    rate: int(env, 'BENCH_RATE', 200, 1),
    warmup: int(env, 'BENCH_WARMUP', 300, 0),
    coldRuns: int(env, 'BENCH_COLD_RUNS', 3, 0),
    paragraphRounds: int(env, 'BENCH_PARAGRAPH_ROUNDS', 3, 0),
    listingRequests: int(env, 'BENCH_LISTING_REQUESTS', 40, 0),
    reviewSyncUpdates: int(env, 'BENCH_REVIEW_SYNC_UPDATES', 3000, 0),
    exportRuns: int(env, 'BENCH_EXPORT_RUNS', 3, 0),
    chromiumPath: env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    skipFanout: env.BENCH_SKIP_FANOUT === '1',
    traceFile: path.resolve(root, env.BENCH_TRACE ?? '../shared/traces/automerge-paper.json.gz'),
    valenceEnv: parseEnvList(env.BENCH_VALENCE_ENV ?? ''),
    cpuProfDir: env.BENCH_CPU_PROF ? path.resolve(root, env.BENCH_CPU_PROF) : null,
    outDir: path.resolve(root, '.bench'),
    targetRatio: 1.2,
    attack:
      env.BENCH_ATTACK === '0'
        ? null
        : {
            windowMs: int(env, 'BENCH_ATTACK_SECONDS', 8, 1) * 1000,
            rate: int(env, 'BENCH_ATTACK_RATE', 40, 1),
            only: (env.BENCH_ATTACK_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean),
            serverRoot: env.BENCH_ATTACK_SERVER_ROOT ? path.resolve(env.BENCH_ATTACK_SERVER_ROOT) : null,
            valenceEnv: parseEnvList(env.BENCH_VALENCE_ENV ?? ''),
            targetP99Ms: 100,
            cpuProfDir: env.BENCH_CPU_PROF ? path.resolve(root, env.BENCH_CPU_PROF) : null
          }
  }
}
