/**
 * The log's censoring (src/logger.ts): secrets at the top of a line's object and one level down, credential headers
 * under `headers` and `req.headers`, in child bindings too; what is logged is never changed, and lines without
 * secrets are written as they are.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger, CENSOR, SECRET_HEADERS, SECRET_KEYS } from '../src/logger.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      raw.push(chunk.toString());
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, raw, logger: createLogger({ logLevel: 'info', logPretty: false }, stream) };
}

describe('log censoring', () => {
  it('censors every secret key one level down and every credential header, and leaves the logged objects alone', () => {
    const { lines, raw, logger } = capture();
    const secret = (name: string) => `s3cret-${name}-value`;
    const body = Object.fromEntries([...SECRET_KEYS].map((k) => [k, secret(k)]));
    const headerValues = Object.fromEntries([...SECRET_HEADERS].map((h) => [h, secret(h)]));
    const err = Object.assign(new Error('login failed'), { token: secret('err-token'), code: 'E_LOGIN' });
    const logged = {
      body,
      headers: { ...headerValues, accept: 'application/json' },
      req: { method: 'POST', url: '/api/v1/auth/login', headers: { ...headerValues, 'user-agent': 'game/1.0' } },
      err,
      password: secret('top'),
      note: 'kept',
    };
    const before = JSON.stringify(logged);
    logger.info(logged, 'login');
    logger.child({ token: secret('binding'), apiKey: secret('binding-key') }).info({ user: { id: 7, secret: secret('child') } }, 'child line');

    assert.equal(JSON.stringify(logged), before, 'the object logged is not changed');
    assert.equal(err.token, secret('err-token'));
    for (const line of raw) assert.doesNotMatch(line, /s3cret-/, `no secret is written: ${line}`);

    const [login, child] = lines;
    for (const k of SECRET_KEYS) assert.equal((login.body as Record<string, unknown>)[k], CENSOR, `body.${k}`);
    for (const h of SECRET_HEADERS) {
      assert.equal((login.headers as Record<string, unknown>)[h], CENSOR, `headers.${h}`);
      assert.equal(((login.req as Record<string, unknown>).headers as Record<string, unknown>)[h], CENSOR, `req.headers.${h}`);
    }
    assert.equal((login.headers as Record<string, unknown>).accept, 'application/json');
    assert.deepEqual(login.req, { method: 'POST', url: '/api/v1/auth/login', headers: { ...Object.fromEntries([...SECRET_HEADERS].map((h) => [h, CENSOR])), 'user-agent': 'game/1.0' } });
    const loggedErr = login.err as Record<string, unknown>;
    assert.equal(loggedErr.token, CENSOR);
    assert.equal(loggedErr.message, 'login failed', 'the error is still serialized as an error');
    assert.equal(loggedErr.code, 'E_LOGIN');
    assert.match(String(loggedErr.stack), /login failed/);
    assert.equal(login.password, CENSOR);
    assert.equal(login.note, 'kept');
    assert.equal(child.token, CENSOR);
    assert.equal(child.apiKey, CENSOR);
    assert.deepEqual(child.user, { id: 7, secret: CENSOR });
  });

  it('writes a line without secrets as it was given', () => {
    const { lines, logger } = capture();
    const line = {
      reqId: 'r-1',
      method: 'GET',
      route: '/api/v1/client/client-version',
      status: 200,
      ms: 0.12,
      ids: [1, 2, 3],
      nested: { deep: { password: 'two levels down is not looked at' } },
    };
    logger.info(line, 'request');
    const { level, time, pid, hostname, service, msg, ...rest } = lines[0];
    assert.deepEqual(rest, line);
    assert.equal(msg, 'request');
    assert.equal(service, 'gatrix');
    void [level, time, pid, hostname];
  });
});
