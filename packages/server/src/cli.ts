/**
 * The operator CLI: `npm run gatrix -- <command>`. It reads the same configuration as the server (environment,
 * GATRIX_DATA_DIR) and works on the configured database directly, so it works when no one can sign in.
 */
import './app/events.ts';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createLocalBus, createRedisBus } from './cluster/bus.ts';
import { createChangeFeed } from './events/changes.ts';
import { systemClock } from './core/clock.ts';
import { loadConfigOrExit, type Config } from './config.ts';
import { secretBox } from './core/secret-box.ts';
import { checkKeys } from './app/keys.ts';
import { migrate, openDatabase, type Db } from './db/index.ts';
import { createLogger } from './logger.ts';
import { createApiKeysService } from './modules/api-keys/service.ts';
import { memoryFailureCounters } from './modules/auth/login-limiter.ts';
import { createAuthService } from './modules/auth/service.ts';
import { createUsersService } from './modules/users/service.ts';
import { usersStore } from './modules/users/store.ts';
import { SYSTEM_ACTOR } from './core/permissions.ts';

const USAGE = `usage: npm run gatrix -- <command>

  admin reset-password <user>   new generated password for <user> (username or email), printed once;
                                ends its sessions and lifts its failed-login lockout
  admin unlock <user>           lift <user>'s failed-login lockout
  admin promote <user>          make <user> an active admin (when no admin can sign in)
  keys check                    check JWT_SECRET and GATRIX_ENCRYPTION_KEY against the database
`;

/** A check of the configured keys against what the database holds; `problems` name the variable at fault. */
export type KeyCheck = (config: Config, db: Db) => Promise<{ ok: boolean; problems: string[] }>;

/** GATRIX_ENCRYPTION_KEY must open every webhook signing secret sealed with it. */
const webhookSecretsOpen: KeyCheck = async (config, db) => {
  const box = secretBox(config.encryptionKey);
  const rows = await db.selectFrom('webhooks').select(['id', 'secret_enc', 'previous_secret_enc']).execute();
  const failed = rows.filter((r) =>
    [r.secret_enc, r.previous_secret_enc].some((sealed) => {
      if (sealed === null) return false;
      try {
        box.open(sealed);
        return false;
      } catch {
        return true;
      }
    }),
  );
  const problems = failed.length
    ? [`GATRIX_ENCRYPTION_KEY: cannot decrypt the signing secret of ${failed.length} of ${rows.length} webhooks (ids ${failed.map((r) => r.id).join(', ')})`]
    : [];
  return { ok: problems.length === 0, problems };
};

/** Every check `keys check` runs: the stored key check values (app/keys.ts, read only here), then every secret. */
const KEY_CHECKS: KeyCheck[] = [(config, db) => checkKeys(config, db), webhookSecretsOpen];

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [area, command, name, ...rest] = argv;
  const wanted = `${area ?? ''} ${command ?? ''}`;
  const userCommands = ['admin reset-password', 'admin unlock', 'admin promote'];
  if (wanted === 'keys check' ? name !== undefined : !userCommands.includes(wanted) || name === undefined || rest.length > 0) {
    throw new UsageError();
  }

  const config = loadConfigOrExit();
  const log = createLogger({ logLevel: 'warn', logPretty: false }, process.stderr);
  const database = openDatabase({ url: config.databaseUrl, sqliteFile: path.join(config.dataDir, 'gatrix.db') });
  try {
    await migrate(database, { box: secretBox(config.encryptionKey) });
    if (wanted === 'keys check') {
      const problems = (await Promise.all(KEY_CHECKS.map((check) => check(config, database.db)))).flatMap((r) => r.problems);
      for (const p of problems) process.stderr.write(`gatrix: ${p}\n`);
      if (problems.length === 0) process.stdout.write('keys check: the configured keys match the database\n');
      return problems.length === 0 ? 0 : 1;
    }

    // Only the services the commands use (the whole app would slow every start). With Redis the other nodes
    // hear of a change at once (their caches), as if one of them had made it.
    const bus = config.redisUrl ? await createRedisBus(config.redisUrl, log, config.redisPrefix) : createLocalBus();
    const ctx = { config, db: database.db, dialect: database.dialect, clock: systemClock, log };
    const changes = createChangeFeed(log, bus);
    const users = createUsersService(ctx, changes);
    const auth = createAuthService(ctx, changes, users, createApiKeysService(ctx, changes), memoryFailureCounters());
    try {
      const user = await usersStore(database.db).findCredentials(name!);
      if (!user) {
        process.stderr.write(`gatrix: no user has the username or email "${name}"\n`);
        return 1;
      }
      if (command === 'reset-password') {
        const password = randomBytes(15).toString('base64url');
        await users.update(user.id, { password }, SYSTEM_ACTOR);
        await auth.unlock(user.id);
        process.stdout.write(`New password for "${user.username}": ${password}\nIts sessions have ended; change it with PUT /api/v1/auth/password.\n`);
      } else if (command === 'unlock') {
        await auth.unlock(user.id);
        process.stdout.write(`Unlocked "${user.username}".\n`);
      } else {
        await users.update(user.id, { role: 'admin', status: 'active' }, SYSTEM_ACTOR);
        process.stdout.write(`"${user.username}" is an active admin.\n`);
      }
      return 0;
    } finally {
      await bus.close();
    }
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(USAGE);
      process.exit(2);
    }
    process.stderr.write(`gatrix: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
