import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';

/** The lock connections, kept open (and referenced) for the life of the process: closing one releases its lock. */
const held = new Set<SQLite.Database>();

/**
 * Locks the data dir for this process, so that two processes never share one SQLite database (the webhook worker
 * relies on it to release a dead run's leases at start). The lock is SQLite's own exclusive lock on
 * `gatrix.lock`, an advisory file lock that the kernel drops when the process ends, even by SIGKILL: a crash
 * leaves no stale lock behind. Throws when another process holds it.
 */
export function lockDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, 'gatrix.lock');
  const lock = new SQLite(file, { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock; in this locking mode it is kept until the connection closes.
    lock.exec('create table if not exists holder (pid integer not null); delete from holder');
    lock.prepare('insert into holder (pid) values (?)').run(process.pid);
  } catch (err) {
    lock.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      throw new Error(`the data dir ${dir} (GATRIX_DATA_DIR) is in use by another Gatrix process; each process needs its own (or use PostgreSQL)`, { cause: err });
    }
    throw err;
  }
  held.add(lock);
}
