/**
 * Summarises a V8 `.cpuprofile` (as written by `node --cpu-prof`, e.g. by
 * `BENCH_CPU_PROF=.bench/profiles npm run bench`): self and inclusive time per function and self
 * time per package, idle excluded.
 *
 * @example npx tsx bench/profile-summary.ts .bench/profiles/CPU.*.cpuprofile [top=25]
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { table } from './stats.js'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** `name (file:line)` with the file relative to the repository. */
function label(frame: ProfileNode['callFrame']): string {
  const file = frame.url.replace(/^file:\/\//, '').replace(`${root}/`, '')
  return `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`
}

/** The package (or repo folder, or V8 pseudo-frame) a frame belongs to. */
function owner(frame: ProfileNode['callFrame']): string {
  const url = frame.url.replace(/^file:\/\//, '')
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)'
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!
  }
  if (url.startsWith('node:')) return 'node internals'
  return path.dirname(url.replace(`${root}/`, ''))
}

/** Per-function self and inclusive milliseconds and per-owner self milliseconds. */
export function summarise(profile: Profile): {
  totalMs: number
  self: Map<string, number>
  inclusive: Map<string, number>
  owners: Map<string, number>
} {
  const byId = new Map<number, ProfileNode>()
  const parent = new Map<number, number>()
  for (const node of profile.nodes) {
    byId.set(node.id, node)
    for (const child of node.children ?? []) parent.set(child, node.id)
  }
  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  const owners = new Map<string, number>()
  const add = (m: Map<string, number>, k: string, v: number): void => {
    m.set(k, (m.get(k) ?? 0) + v)
  }
  let totalMs = 0
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000
    const node = byId.get(id)
    if (!node || node.callFrame.functionName === '(idle)') return
    totalMs += ms
    add(self, label(node.callFrame), ms)
    add(owners, owner(node.callFrame), ms)
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!.callFrame)
      if (!seen.has(l)) {
        seen.add(l)
        add(inclusive, l, ms)
      }
    }
  })
  return { totalMs, self, inclusive, owners }
}

function top(m: Map<string, number>, n: number, totalMs: number): string[][] {
  return [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => [v.toFixed(0), ((100 * v) / totalMs).toFixed(1), k])
}

function main(): void {
  const [file, topArg] = process.argv.slice(2)
  if (!file) {
    console.error('usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]')
    process.exit(2)
  }
  const n = Number(topArg ?? 25)
  const { totalMs, self, inclusive, owners } = summarise(JSON.parse(fs.readFileSync(file, 'utf8')) as Profile)
  console.log(`${file}: ${totalMs.toFixed(0)} ms of non-idle samples\n`)
  console.log('Self time by package/folder')
  console.log(table(['ms', '%', 'owner'], top(owners, 15, totalMs)))
  console.log('\nSelf time by function')
  console.log(table(['ms', '%', 'function'], top(self, n, totalMs)))
  console.log('\nInclusive time by function')
  console.log(table(['ms', '%', 'function'], top(inclusive, n, totalMs)))
}

main()
