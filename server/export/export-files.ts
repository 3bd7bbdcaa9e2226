/**
 * Where finished exports are kept: `DATA_DIR/exports/` with durable storage, a fresh temporary
 * folder with `STORAGE=memory` (removed on close). The job table lives in memory, so a file
 * left by an earlier run of the process can never be downloaded again: {@link ExportFiles.open}
 * deletes such files when the server starts.
 *
 * Several server instances on one `DATA_DIR` would delete each other's files at start: they
 * need a shared job table and folder first (README "Exports").
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** Names of the files this module writes: `<job id>.part` while written, `<job id>.export` done. */
const OUR_FILE = /^x[0-9a-f]{32}\.(part|export)$/

/** The export folder of one process. */
export class ExportFiles {
  private constructor(
    /** The folder. */
    readonly dir: string,
    private readonly temporary: boolean
  ) {}

  /**
   * Opens (creating it) the export folder for `dataDir`, or a temporary one when `dataDir` is
   * null, and deletes files an earlier run left there.
   */
  static open(dataDir: string | null): ExportFiles {
    if (dataDir === null) return new ExportFiles(fs.mkdtempSync(path.join(os.tmpdir(), 'valence-exports-')), true)
    const dir = path.join(dataDir, 'exports')
    fs.mkdirSync(dir, { recursive: true })
    for (const name of fs.readdirSync(dir)) if (OUR_FILE.test(name)) fs.rmSync(path.join(dir, name), { force: true })
    return new ExportFiles(dir, false)
  }

  /** Where a job's file is written before it is complete. */
  partPath(jobId: string): string {
    return path.join(this.dir, `${jobId}.part`)
  }

  /** Where a job's finished file is kept. */
  filePath(jobId: string): string {
    return path.join(this.dir, `${jobId}.export`)
  }

  /** Moves a job's written file into place. */
  async complete(jobId: string): Promise<string> {
    const to = this.filePath(jobId)
    await fs.promises.rename(this.partPath(jobId), to)
    return to
  }

  /** Deletes whatever a job left (partial or finished); never fails for a missing file. */
  async remove(jobId: string): Promise<void> {
    await Promise.all([fs.promises.rm(this.partPath(jobId), { force: true }), fs.promises.rm(this.filePath(jobId), { force: true })])
  }

  /** Deletes every file of this process (and a temporary folder itself). */
  close(): void {
    if (this.temporary) {
      fs.rmSync(this.dir, { recursive: true, force: true })
      return
    }
    for (const name of fs.existsSync(this.dir) ? fs.readdirSync(this.dir) : []) {
      if (OUR_FILE.test(name)) fs.rmSync(path.join(this.dir, name), { force: true })
    }
  }
}
