import { createHmac } from 'node:crypto';
import type { Config } from '../config.ts';
import { secretBox } from '../core/secret-box.ts';
import type { Db } from '../db/index.ts';

type KeyName = 'jwt' | 'encryption';

const KEYS: Record<KeyName, { variable: string; of: (c: Config) => string | Buffer }> = {
  jwt: { variable: 'JWT_SECRET', of: (c) => c.jwtSecret },
  encryption: { variable: 'GATRIX_ENCRYPTION_KEY', of: (c) => c.encryptionKey },
};

const GUIDE = 'give every node the same value, or see "Lost or mismatched keys" in docs/operations.md';

/** HMAC-SHA256 of a fixed text under the key: equal for equal keys, and it tells nothing about the key. */
export function keyCheckValue(name: KeyName, key: string | Buffer): string {
  return createHmac('sha256', key).update(`gatrix key check: ${name}`).digest('base64url');
}

export interface KeyCheck {
  ok: boolean;
  /** One line per key that differs, each starting with the variable's name. */
  problems: string[];
}

/**
 * Compares the node's JWT_SECRET and GATRIX_ENCRYPTION_KEY with the keys the database was set up with, by
 * their check values (table key_checks). With `record` (every start), a key without a check value is recorded
 * first: on a new database the current key; on one that held webhook secrets before key checks existed, the
 * encryption key only if it opens one of them. Both keys are recorded in one transaction, the missing rows by
 * one insert-if-absent statement in a fixed order, and every node then compares with what is stored: of two
 * nodes starting at once with different keys, one records both and the other is refused (never one key each).
 * Without `record` nothing is written (an operator's check).
 */
export async function checkKeys(config: Config, db: Db, opts: { record?: boolean } = {}): Promise<KeyCheck> {
  const mine = { jwt: keyCheckValue('jwt', KEYS.jwt.of(config)), encryption: keyCheckValue('encryption', KEYS.encryption.of(config)) };
  let stored = await storedChecks(db);
  // A database from before key checks: the encryption key is recorded only if it opens one of its webhook secrets.
  const sealed = stored.has('encryption') && stored.get('encryption') === null ? await unopenedSecrets(db, config.encryptionKey) : 0;
  if (opts.record) {
    const missing = NAMES.filter((name) => !stored.has(name));
    const pending = NAMES.filter((name) => stored.has(name) && stored.get(name) === null && !(name === 'encryption' && sealed));
    if (missing.length > 0 || pending.length > 0) {
      stored = await db.transaction().execute(async (trx) => {
        const createdAt = new Date().toISOString();
        if (missing.length > 0) {
          await trx
            .insertInto('key_checks')
            .values(missing.map((name) => ({ name, check_value: mine[name], created_at: createdAt })))
            .onConflict((oc) => oc.column('name').doNothing())
            .execute();
        }
        for (const name of pending) {
          await trx.updateTable('key_checks').set({ check_value: mine[name] }).where('name', '=', name).where('check_value', 'is', null).execute();
        }
        return storedChecks(trx);
      });
    }
  }
  const problems: string[] = [];
  for (const name of NAMES) {
    const { variable } = KEYS[name];
    if (name === 'encryption' && sealed) {
      problems.push(`${variable}: opens none of the ${sealed} newest webhook secrets in the database, so they were sealed with another key; ${GUIDE}`);
      continue;
    }
    const value = stored.get(name) ?? undefined;
    if (value !== undefined && value !== mine[name]) problems.push(`${variable}: differs from the key this database was set up with; ${GUIDE}`);
  }
  return { ok: problems.length === 0, problems };
}

/** The fixed order keys are recorded and reported in. */
const NAMES: readonly KeyName[] = ['jwt', 'encryption'];

/** The stored check value of each key that has a row (null: a row waiting for its value). */
async function storedChecks(db: Db): Promise<Map<string, string | null>> {
  const rows = await db.selectFrom('key_checks').select(['name', 'check_value']).where('name', 'in', NAMES).execute();
  return new Map(rows.map((r) => [r.name, r.check_value]));
}

/** How many of the newest stored webhook secrets were tried, when the key opens none of them; 0 when it opens one or there are none. */
async function unopenedSecrets(db: Db, key: Buffer): Promise<number> {
  const rows = await db.selectFrom('webhooks').select('secret_enc').orderBy('id', 'desc').limit(100).execute();
  const box = secretBox(key);
  const opens = (sealed: string) => {
    try {
      box.open(sealed);
      return true;
    } catch {
      return false;
    }
  };
  return rows.some((r) => opens(r.secret_enc)) ? 0 : rows.length;
}
