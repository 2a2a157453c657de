import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { commonPasswordsText, COMMON_PASSWORDS_FILE } from '../scripts/common-passwords.ts';
import { passwordProblem } from '../src/core/password-policy.ts';

const account = { username: 'Alice.Admin', email: 'alice@example.com' };

it('password policy: length, own username or email, common passwords', () => {
  const cases: [string, string | undefined][] = [
    ['short-9ch', 'must be at least 10 characters'],
    ['ten-chars!', undefined],
    ['alice.admin', 'must not be the username or email'],
    ['Alice.Admin2', undefined],
    ['ALICE@EXAMPLE.COM', 'must not be the username or email'],
    ['QwertyUiop', 'is one of the most common passwords'],
    ['1234567890', 'is one of the most common passwords'],
    ['basketball', 'is one of the most common passwords'],
    ['correct horse battery staple', undefined],
  ];
  for (const [password, problem] of cases) assert.equal(passwordProblem(password, account), problem, password);
  // Every entry of the list is refused, in any letter case: too short, or found among those kept in memory.
  for (const common of readFileSync(COMMON_PASSWORDS_FILE, 'utf8').split('\n').filter(Boolean)) {
    for (const password of [common, common.toUpperCase()]) assert.notEqual(passwordProblem(password, account), undefined, password);
  }
});

it('the shipped common-password list has at least 10,000 entries and matches its generator', () => {
  const shipped = readFileSync(COMMON_PASSWORDS_FILE, 'utf8');
  assert.ok(shipped.trim().split('\n').length >= 10_000);
  assert.equal(shipped, commonPasswordsText(), 'run npm run generate:passwords -w @gatrix/server');
});
