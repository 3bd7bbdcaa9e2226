/**
 * Chromium processes as tests see them (ps): the export browsers of this test process, found by
 * the `--valence-export-pid` switch render-pdf.ts and shared-browser.ts add, and the renderer
 * processes under one browser (one or more per open page; none once its contexts are closed).
 */
import { execFileSync } from 'node:child_process'
import { exportBrowserMarker } from '../../server/export/render-pdf.js'

interface Proc {
  pid: number
  ppid: number
  args: string
}

function processes(): Proc[] {
  return execFileSync('ps', ['-eo', 'pid=,ppid=,stat=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && !m[3]!.startsWith('Z'))
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[4]! }))
}

/**
 * Pids of live browser processes started with this process's export marker. A child the browser
 * has just forked shows the browser's command line until it execs: only marked processes whose
 * parent is not marked count.
 */
export function exportBrowsers(): number[] {
  const marker = exportBrowserMarker()
  const marked = processes().filter((p) => p.args.includes(marker))
  const pids = new Set(marked.map((p) => p.pid))
  return marked.filter((p) => !pids.has(p.ppid)).map((p) => p.pid)
}

/** Live renderer processes descending from browser `pid`. */
export function renderersOf(pid: number): number[] {
  const all = processes()
  const below = new Set([pid])
  // Children are listed after parents in pid order mostly, but not always: repeat until stable.
  for (let grew = true; grew; ) {
    grew = false
    for (const p of all) {
      if (below.has(p.ppid) && !below.has(p.pid)) {
        below.add(p.pid)
        grew = true
      }
    }
  }
  return all.filter((p) => below.has(p.pid) && p.args.includes('--type=renderer')).map((p) => p.pid)
}
