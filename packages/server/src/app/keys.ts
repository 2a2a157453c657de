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
 * encryption key only if it opens one of them. Recording is insert-if-absent and every node then compares with
 * what is stored, so of two nodes starting at once with different keys the second is refused. Without `record`
 * nothing is written (an operator's check).
 */
export async function checkKeys(config: Config, db: Db, opts: { record?: boolean } = {}): Promise<KeyCheck> {
  const problems: string[] = [];
  for (const name of ['jwt', 'encryption'] as const) {
    const { variable, of } = KEYS[name];
    const mine = keyCheckValue(name, of(config));
    const row = await db.selectFrom('key_checks').select('check_value').where('name', '=', name).executeTakeFirst();
    if (name === 'encryption' && row && row.check_value === null) {
      const sealed = await unopenedSecrets(db, config.encryptionKey);
      if (sealed) {
        problems.push(`${variable}: opens none of the ${sealed} newest webhook secrets in the database, so they were sealed with another key; ${GUIDE}`);
        continue;
      }
    }
    let stored = row?.check_value ?? undefined;
    if (opts.record && stored === undefined) {
      const createdAt = new Date().toISOString();
      if (row) await db.updateTable('key_checks').set({ check_value: mine }).where('name', '=', name).where('check_value', 'is', null).execute();
      else await db.insertInto('key_checks').values({ name, check_value: mine, created_at: createdAt }).onConflict((oc) => oc.column('name').doNothing()).execute();
      stored = (await db.selectFrom('key_checks').select('check_value').where('name', '=', name).executeTakeFirstOrThrow()).check_value ?? undefined;
    }
    if (stored !== undefined && stored !== mine) problems.push(`${variable}: differs from the key this database was set up with; ${GUIDE}`);
  }
  return { ok: problems.length === 0, problems };
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
