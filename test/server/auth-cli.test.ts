/**
 * The admin CLI as operators run it: a child process on a temporary DATA_DIR, JSON on stdout,
 * exit codes 0 / 1 (refused) / 2 (bad arguments); what it creates works on the server.
 */
import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { fetchAs } from '../helpers/auth.js'
import { startTestService, tempDir } from '../helpers/server.js'

interface Run {
  code: number | null
  stdout: string
  stderr: string
  json: any
}

function admin(dataDir: string, args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], {
      env: { ...process.env, DATA_DIR: dataDir, STORAGE: 'sqlite', PUBLIC_URL: '' },
      stdio: ['pipe', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    proc.on('error', reject)
    proc.on('exit', (code) => {
      let json: unknown = null
      try {
        json = JSON.parse(stdout)
      } catch {
        // not JSON (usage errors print nothing on stdout)
      }
      resolve({ code, stdout, stderr, json })
    })
    proc.stdin.end(stdin ?? '')
  })
}

describe('admin CLI', () => {
  it('creates a facilitator, a spec, a panel, an invite link and tokens that the server accepts', async () => {
    const dataDir = tempDir()
    const fac = await admin(dataDir, ['create-facilitator', '--email', 'Ops@Example.com', '--name', 'Ops', '--password-stdin'], 'stdin password 1\n')
    expect(fac.code).toBe(0)
    expect(fac.json.account).toMatchObject({ email: 'ops@example.com', displayName: 'Ops', role: 'facilitator' })
    const spec = (await admin(dataDir, ['create-spec', '--title', 'Roadmap'])).json.spec
    expect(spec).toMatchObject({ title: 'Roadmap' })
    const panel = (await admin(dataDir, ['create-panel', '--name', 'Pilot', '--description', 'Early'])).json.panel
    expect((await admin(dataDir, ['invite-panel', '--panel', panel.id, '--spec', spec.id])).json).toEqual({ panelId: panel.id, specIds: [spec.id] })
    const invite = await admin(dataDir, ['create-invite', '--panel', panel.id, '--role', 'viewer', '--max-uses', '3', '--base-url', 'https://specs.example.com/'])
    expect(invite.code).toBe(0)
    expect(invite.json.url).toBe(`https://specs.example.com/invite/${invite.json.token}`)
    expect(invite.json.invite).toMatchObject({ panelId: panel.id, role: 'viewer', maxUses: 3, uses: 0 })
    expect(invite.json.invite).not.toHaveProperty('tokenHash')
    const teamToken = await admin(dataDir, ['create-token', '--name', 'ci', '--role', 'team'])
    expect(teamToken.json.secret).toMatch(/^vlt_/)
    const viewerToken = await admin(dataDir, ['create-token', '--name', 'dash', '--role', 'viewer', '--panel', panel.id])
    expect(viewerToken.json.token.panelIds).toEqual([panel.id])

    const service = await startTestService({ storage: 'sqlite', dataDir })
    const login = await fetchAs(service, null, 'POST', '/api/auth/login', { email: 'ops@example.com', password: 'stdin password 1' })
    expect(login.body.me).toMatchObject({ role: 'facilitator', displayName: 'Ops' })
    const preview = await fetchAs(service, null, 'GET', `/api/invites/${invite.json.token}`)
    expect(preview.body).toMatchObject({ specs: [{ id: spec.id, title: 'Roadmap' }], facilitator: { displayName: 'Ops' }, role: 'viewer' })
    const specs = await fetchAs(service, { bearer: teamToken.json.secret }, 'GET', '/api/specs')
    expect(specs.body.specs.map((s: any) => s.id)).toEqual([spec.id])
    expect((await fetchAs(service, { bearer: viewerToken.json.secret }, 'GET', `/api/specs/${spec.id}`)).status).toBe(200)
  }, 180_000)

  it('refuses bad arguments with usage (exit 2) and refused operations with a JSON error (exit 1)', async () => {
    const dataDir = tempDir()
    const cases: string[][] = [
      [],
      ['no-such-command'],
      ['create-spec'],
      ['create-spec', '--title', 'x', '--bogus', '1'],
      ['create-facilitator', '--email', 'a@example.com', '--name', 'X', '--password', 'short'],
      ['create-invite', '--panel', 'p', '--role', 'team']
    ]
    for (const args of cases) {
      const run = await admin(dataDir, args)
      expect(run.code, args.join(' ')).toBe(2)
      expect(run.stderr).toContain('usage: npm run admin')
      expect(run.stdout).toBe('')
    }
    const args = ['create-facilitator', '--email', 'a@example.com', '--name', 'A', '--password', 'long enough 1']
    expect((await admin(dataDir, args)).code).toBe(0)
    const dup = await admin(dataDir, args)
    expect(dup.code).toBe(1)
    expect(JSON.parse(dup.stderr)).toMatchObject({ error: { code: 'email_taken' } })
    const missing = await admin(dataDir, ['invite-panel', '--panel', 'nopanel1', '--spec', 'nospec01'])
    expect([missing.code, JSON.parse(missing.stderr).error.code]).toEqual([1, 'panel_not_found'])
    const memory = await new Promise<number | null>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'create-spec', '--title', 'x'], {
        env: { ...process.env, DATA_DIR: dataDir, STORAGE: 'memory' },
        stdio: 'ignore'
      })
      p.on('exit', resolve)
    })
    expect(memory).toBe(2)
  }, 180_000)
})
