import './v8-tuning.ts'; // first: V8 flags must be set before the rest is loaded
import path from 'node:path';
import { startBackground } from './app/background.ts';
import { buildApp } from './app/build-app.ts';
import { loadConfigOrExit } from './config.ts';
import { secretBox } from './core/secret-box.ts';
import { lockDataDir } from './db/data-dir-lock.ts';
import { migrate, openDatabase, ping } from './db/index.ts';
import { checkKeys } from './app/keys.ts';
import { createLogger } from './logger.ts';
import { StartupError, waitFor } from './startup.ts';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config);
  if (!config.databaseUrl) lockDataDir(config.dataDir);
  const database = openDatabase({ url: config.databaseUrl, sqliteFile: path.join(config.dataDir, 'gatrix.db') });
  if (config.databaseUrl) {
    await waitFor({ name: 'database', variable: 'DATABASE_URL', url: config.databaseUrl }, () => ping(database.db), { waitMs: config.startupWaitMs, log });
  }
  await migrate(database, { box: secretBox(config.encryptionKey) });
  const keys = await checkKeys(config, database.db, { record: true });
  if (!keys.ok) throw new StartupError(keys.problems.join(' '));
  const { app, services, monitoring } = await buildApp({ config, database, logger: log });

  // Errors outside any request: logged with their stack and kept with the request errors. A stray rejected
  // promise is a bug to report, not a reason to drop every player's connection; an uncaught exception leaves
  // the process in an unknown state, so it stops (the orchestrator restarts it).
  process.on('unhandledRejection', (reason: unknown) => {
    const err = reason instanceof Error ? reason : new Error(`non-Error rejection: ${String(reason)}`);
    log.error({ err, source: 'unhandledRejection' }, 'unhandled promise rejection');
    monitoring.errors.record(err, { source: 'unhandledRejection' });
  });
  process.on('uncaughtException', (err: Error) => {
    log.fatal({ err, source: 'uncaughtException' }, 'uncaught exception; stopping');
    monitoring.errors.record(err, { source: 'uncaughtException' });
    setTimeout(() => process.exit(1), 1000).unref(); // a moment for the error tracker's request
  });

  const admin = await services.auth.ensureAdmin();
  await app.listen({ port: config.port, host: config.host });
  const stopBackground = startBackground(services, log);
  if (admin?.generatedPassword) {
    // Printed once start-up has succeeded, on the terminal only; it is never written to the structured log. A
    // start that fails after creating the admin prints nothing: `npm run gatrix -- admin reset-password` then.
    process.stdout.write(
      `\n  First start: created admin "${admin.username}" with password ${admin.generatedPassword}\n  Change it with PUT /api/v1/auth/password.\n\n`,
    );
  } else if (admin) {
    log.info({ username: admin.username }, 'created the first admin from GATRIX_ADMIN_*');
  }

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => process.exit(1), 15_000).unref();
    stopBackground()
      .then(() => app.close())
      .then(() => database.close())
      .then(() => {
        clearTimeout(force);
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  // Announced once a SIGTERM would be handled: a supervisor that stops the node on seeing this line gets a clean exit.
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const base = `http://${shown}:${(app.server.address() as { port: number }).port}`;
  log.info({ api: `${base}/api/v1`, docs: `${base}/docs`, database: database.dialect }, 'Gatrix is listening');
  process.stdout.write(`Gatrix API ${base}/api/v1  docs ${base}/docs  (${database.dialect})\n`);
}

main().catch((err: unknown) => {
  // A known cause is one line naming the setting to look at; anything else keeps its stack.
  const reason = err instanceof StartupError ? err.message : err instanceof Error ? err.stack : String(err);
  process.stderr.write(`gatrix: failed to start: ${reason}\n`);
  process.exit(1);
});
