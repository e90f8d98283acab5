/**
 * A pid lock file beside the embedded database folder. PGlite is one Postgres backend inside
 * this process with no locking of its own: two processes opening the same folder would
 * corrupt it. The lock file holds the owner's pid; a lock whose pid is no longer running
 * (a crash, a kill -9) is taken over. The lock appears atomically with its pid in it (written
 * beside it, then hard-linked into place), so no reader ever sees an empty lock. Not covered:
 * two processes taking over the same stale lock in the same instant.
 */
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';

/** The folder is locked by a running process (possibly this one). */
export class FolderLockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly pid: number,
    message: string,
  ) {
    super(message);
    this.name = 'FolderLockedError';
  }
}

export interface FolderLock {
  release(): void;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(lockFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function tryCreate(lockFile: string): boolean {
  const draft = `${lockFile}.${process.pid}`;
  writeFileSync(draft, `${process.pid}\n`, { mode: 0o644 });
  try {
    linkSync(draft, lockFile);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(draft);
  }
}

/**
 * Create `lockFile` holding this process's pid, or throw FolderLockedError built by
 * `describe(pid)` when a running process holds it. Also refuses a second lock by this same
 * process: the caller opened the folder twice.
 */
export function acquireFolderLock(lockFile: string, describe: (pid: number) => string): FolderLock {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(lockFile)) {
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          if (readPid(lockFile) === process.pid) unlinkSync(lockFile);
        },
      };
    }
    const pid = readPid(lockFile);
    if (pid !== undefined && isRunning(pid)) throw new FolderLockedError(lockFile, pid, describe(pid));
    // Stale (its process is gone) or garbled: take it over.
    try {
      unlinkSync(lockFile);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  throw new Error(`could not take the lock ${lockFile}: another process keeps re-creating it`);
}
