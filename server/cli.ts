#!/usr/bin/env node
/**
 * Admin CLI for operators and automation: works directly on the storage of a `DATA_DIR` (the
 * same configuration as the server, from the same environment variables), prints one JSON
 * object per command on stdout, and exits 0 on success, 1 when the operation is refused, and 2
 * on bad arguments (with usage on stderr). Safe to run beside a running server (SQLite WAL).
 *
 * @example
 *   npm run admin -- create-facilitator --email ops@example.com --name Ops --password-stdin < pw.txt
 *   node dist/server/cli.js create-invite --panel <id> --role customer --max-uses 20
 */
import path from 'node:path'
import { parseArgs } from 'node:util'
import { ConfigError, parseConfig, type Config } from './config.js'
import { DB_FILE, openSqliteStorage } from './storage/sqlite.js'
import type { Storage } from './storage/doc-store.js'
import { AttributionEngine } from './attribution/index.js'
import { emptySpecUpdate } from '../shared/schema.js'
import { ROLES, type Role } from '../shared/permissions.js'
import { IdentityError } from './identity/errors.js'
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './auth/passwords.js'
import {
  createAccount,
  createApiToken,
  createPanelInvite,
  INVITE_MAX_HOURS,
  setPanelSpec,
  setPassword
} from './identity/operations.js'

/** A refusal caused by the command line itself (exit 2 with usage). */
class UsageError extends Error {
  readonly code = 'usage'
}

type Values = Record<string, string | boolean | string[] | undefined>

interface Command {
  summary: string
  /** Option names; `*` marks required ones, `+` repeatable ones, `!` boolean flags. */
  options: string[]
  run(values: Values, ctx: { storage: Storage; config: Config }): Promise<unknown>
}

const str = (v: Values, name: string): string | undefined => v[name] as string | undefined
const need = (v: Values, name: string): string => {
  const value = str(v, name)?.trim()
  if (!value) throw new UsageError(`--${name} is required`)
  return value
}
const num = (v: Values, name: string, min: number, max: number): number | undefined => {
  const raw = str(v, name)
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}`)
  return n
}
const oneOf = <T extends string>(value: string, allowed: readonly T[], name: string): T => {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`)
  return value as T
}
const email = (value: string): string => {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) throw new UsageError('--email must be an email address')
  return value.toLowerCase()
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '')
}

async function password(v: Values): Promise<string> {
  if (v['password'] !== undefined && v['password-stdin']) throw new UsageError('give --password or --password-stdin, not both')
  const value = v['password-stdin'] ? await readStdin() : str(v, 'password')
  if (value === undefined) throw new UsageError('--password or --password-stdin is required')
  if (value.length < MIN_PASSWORD_LENGTH || value.length > MAX_PASSWORD_LENGTH) {
    throw new UsageError(`the password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`)
  }
  return value
}

/** The facilitator an invite made here is attributed to: `--created-by`, else the first active one. */
async function facilitatorId(storage: Storage, by: string | undefined): Promise<string> {
  const accounts = await storage.identity.listAccounts()
  const active = accounts.filter((a) => a.role === 'facilitator' && !a.deactivatedAt)
  const chosen = by ? active.find((a) => a.email === by.toLowerCase()) : active[0]
  if (!chosen) throw new UsageError(by ? `no active facilitator with email ${by}` : 'create a facilitator first (create-facilitator)')
  return chosen.id
}

const COMMANDS: Record<string, Command> = {
  'create-facilitator': {
    summary: 'create a facilitator account',
    options: ['email*', 'name*', 'password', 'password-stdin!'],
    async run(v, { storage }) {
      const account = await createAccount(storage.identity, {
        email: email(need(v, 'email')),
        displayName: need(v, 'name'),
        role: 'facilitator',
        passwordHash: await hashPassword(await password(v))
      })
      return { account: { participantId: account.id, email: account.email, displayName: account.displayName, role: account.role } }
    }
  },
  'reset-password': {
    summary: "set a team account's password (and reactivate it); ends its sessions",
    options: ['email*', 'password', 'password-stdin!'],
    async run(v, { storage }) {
      const account = await storage.identity.getAccountByEmail(email(need(v, 'email')))
      if (!account) throw new IdentityError('member_not_found', 'no account with this email')
      await setPassword(storage.identity, account.id, await hashPassword(await password(v)), { reactivate: true })
      return { account: { participantId: account.id, email: account.email, role: account.role } }
    }
  },
  'create-spec': {
    summary: 'create a spec',
    options: ['title*'],
    async run(v, { storage }) {
      const title = need(v, 'title')
      if (title.length > 200) throw new UsageError('--title must be at most 200 characters')
      const spec = await storage.specs.create(title)
      // The same deterministic skeleton `POST /api/specs` stores (see server/http/specs.ts).
      await storage.docs.append(spec.id, emptySpecUpdate())
      return { spec }
    }
  },
  'create-panel': {
    summary: 'create a customer panel',
    options: ['name*', 'description'],
    async run(v, { storage }) {
      return { panel: await storage.identity.createPanel({ name: need(v, 'name'), description: str(v, 'description')?.trim() ?? '' }) }
    }
  },
  'invite-panel': {
    summary: 'invite a panel to a spec',
    options: ['panel*', 'spec*'],
    async run(v, { storage }) {
      const panelId = need(v, 'panel')
      await setPanelSpec(storage.identity, storage.specs, panelId, need(v, 'spec'), true)
      return { panelId, specIds: await storage.identity.specIdsOfPanel(panelId) }
    }
  },
  'create-invite': {
    summary: 'create a panel invite link (prints its URL once)',
    options: ['panel*', 'role*', 'expires-hours', 'max-uses', 'base-url', 'created-by'],
    async run(v, { storage, config }) {
      const { invite, token } = await createPanelInvite(storage.identity, {
        panelId: need(v, 'panel'),
        role: oneOf(need(v, 'role'), ['customer', 'viewer'] as const, 'role'),
        expiresInHours: num(v, 'expires-hours', 0.01, INVITE_MAX_HOURS),
        maxUses: num(v, 'max-uses', 1, 100_000) ?? null,
        createdBy: await facilitatorId(storage, str(v, 'created-by'))
      })
      const base = (str(v, 'base-url') ?? config.publicUrl ?? `http://localhost:${config.port}`).replace(/\/+$/, '')
      const { tokenHash: _hash, ...view } = invite
      return { invite: view, token, url: `${base}/invite/${token}` }
    }
  },
  'create-token': {
    summary: 'create an API token (prints its secret once)',
    options: ['name*', 'role*', 'panel+'],
    async run(v, { storage }) {
      const role = oneOf<Role>(need(v, 'role'), ROLES, 'role')
      const panelIds = (v['panel'] as string[] | undefined) ?? []
      if (panelIds.length > 0 && role !== 'customer' && role !== 'viewer') throw new UsageError('--panel applies to customer and viewer tokens only')
      const { token, secret } = await createApiToken(storage.identity, { name: need(v, 'name'), role, createdBy: null, panelIds })
      const { tokenHash: _hash, ...view } = token
      return { token: { ...view, panelIds }, secret }
    }
  }
}

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => {
    const opts = c.options.map((o) => {
      const flag = `--${o.replace(/[*+!]$/, '')}${o.endsWith('!') ? '' : ' <value>'}${o.endsWith('+') ? ' ...' : ''}`
      return o.endsWith('*') ? flag : `[${flag}]`
    })
    return `  ${name} ${opts.join(' ')}\n      ${c.summary}`
  })
  return `usage: npm run admin -- <command> [options]   (uses DATA_DIR and STORAGE like the server)\n\ncommands:\n${lines.join('\n')}\n`
}

/** Runs one command line; resolves with the exit code. */
async function runCli(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const [name, ...rest] = argv
  const command = name ? COMMANDS[name] : undefined
  if (!command) {
    process.stderr.write(`${name ? `unknown command: ${name}\n\n` : ''}${usage()}`)
    return 2
  }
  let values: Values
  try {
    const options = Object.fromEntries(
      command.options.map((o) => [o.replace(/[*+!]$/, ''), { type: o.endsWith('!') ? 'boolean' : 'string', multiple: o.endsWith('+') }] as const)
    )
    values = parseArgs({ args: rest, options, strict: true, allowPositionals: false }).values as Values
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage()}`)
    return 2
  }
  let config: Config
  try {
    config = parseConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`)
      return 2
    }
    throw err
  }
  if (config.storage === 'memory') {
    process.stderr.write('STORAGE=memory keeps nothing: the admin CLI needs the sqlite storage of a DATA_DIR\n')
    return 2
  }
  const storage = openSqliteStorage({
    file: path.join(config.dataDir, DB_FILE),
    commitWindowMs: 0,
    synchronous: config.sqliteSynchronous,
    foldFacts: AttributionEngine.fold
  })
  try {
    const result = await command.run(values, { storage, config })
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
    return 0
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${usage()}`)
      return 2
    }
    if (err instanceof IdentityError) {
      process.stderr.write(`${JSON.stringify({ error: { code: err.code, message: err.message } })}\n`)
      return 1
    }
    throw err
  } finally {
    await storage.close()
  }
}

runCli(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  }
)
