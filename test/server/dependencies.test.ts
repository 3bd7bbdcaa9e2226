/**
 * Dependency rules that a version bump or a new import could break without any other test
 * noticing:
 * - the server validates updates against Yjs internals (server/sync/update-structs.ts subclasses
 *   Yjs's decoder; validate-update.ts cites line numbers of yjs 13.6.33), so yjs is pinned;
 * - the production image installs `dependencies` only (`npm prune --omit=dev`), so every package
 *   the built server imports must be one of them; client-only packages are bundled by vite and
 *   belong in `devDependencies`.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { builtinModules } from 'node:module'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
}

/** The Yjs version whose internals the update validator was written and checked against. */
const VALIDATED_YJS = '13.6.33'

function* jsFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) yield* jsFiles(full)
    else if (entry.name.endsWith('.js')) yield full
  }
}

/** `lib0/encoding` → `lib0`, `@scope/pkg/x` → `@scope/pkg`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!
}

describe('dependencies', () => {
  it(`pins yjs to ${VALIDATED_YJS}, the version validate-update.ts was checked against`, () => {
    const installed = (JSON.parse(readFileSync(path.join(root, 'node_modules/yjs/package.json'), 'utf8')) as { version: string }).version
    // If this fails: a new Yjs may decode, integrate or store structs differently. Re-read
    // server/sync/update-structs.ts and validate-update.ts against the new src/ (their line
    // references), run test/server/validate-update.test.ts and the fuzz, then update both
    // VALIDATED_YJS and the pinned version in package.json.
    expect(pkg.dependencies['yjs'], 'package.json must pin yjs exactly').toBe(VALIDATED_YJS)
    expect(installed).toBe(VALIDATED_YJS)
  })

  it('the built server imports only production dependencies and Node built-ins', () => {
    const builtins = new Set(builtinModules)
    const imported = new Map<string, string>()
    const pattern = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g
    for (const file of jsFiles(path.join(root, 'dist/server'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(pattern)) {
        const spec = m[1] ?? m[2] ?? m[3]!
        if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec)) continue
        imported.set(packageOf(spec), path.relative(root, file))
      }
    }
    expect(imported.size).toBeGreaterThan(3)
    const missing = [...imported].filter(([name]) => !(name in pkg.dependencies)).map(([name, file]) => `${name} (${file})`)
    expect(missing, 'imported by the server but not in dependencies').toEqual([])
  })
})
