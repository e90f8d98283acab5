/**
 * The embedded engine: PGlite (Postgres compiled to WebAssembly, data in a folder) served on
 * 127.0.0.1 over the Postgres wire protocol, so the rest of the relay talks to it with the
 * same `pg` pool as to a real server. PGlite is a single backend: the pool must hold exactly
 * one connection (the socket server accepts one; more sockets break it).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { acquireFolderLock } from './folder-lock';

export interface EmbeddedServer {
  /** postgres://… URL of the socket server (no password: PGlite trusts every client). */
  url: string;
  /** Human-readable: where the data lives. */
  description: string;
  stop(): Promise<void>;
}

export function embeddedFolder(dataDir: string): string {
  return join(dataDir, 'config-db');
}

/** Lock the folder, open (or create, ~1–7 s the first time) PGlite in it, and serve it. */
export async function startEmbedded(dataDir: string): Promise<EmbeddedServer> {
  const folder = embeddedFolder(dataDir);
  mkdirSync(dataDir, { recursive: true });
  const lock = acquireFolderLock(
    `${folder}.lock`,
    (pid) =>
      `the embedded config database in ${folder} is in use by process ${pid}${pid === process.pid ? ' (this process: it is already open)' : ''}; ` +
      `stop it, or set DATABASE_URL to use a PostgreSQL server instead. ` +
      `If process ${pid} is not a Loyalty Relay, delete ${folder}.lock.`,
  );
  let db: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  try {
    db = await PGlite.create(resolve(folder));
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
    await server.start();
  } catch (e) {
    await server?.stop().catch(() => undefined);
    await db?.close().catch(() => undefined);
    lock.release();
    throw new Error(`cannot open the embedded config database in ${folder}: ${(e as Error).message}`, { cause: e });
  }
  const [openedDb, openedServer] = [db, server];
  return {
    url: `postgres://postgres@${openedServer.getServerConn()}/postgres`,
    description: `embedded PGlite in ${folder}`,
    async stop() {
      try {
        await openedServer.stop();
        if (!openedDb.closed) await openedDb.close();
      } finally {
        lock.release();
      }
    },
  };
}
