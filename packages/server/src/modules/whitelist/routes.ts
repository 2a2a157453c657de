import { isIP } from 'node:net';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { ValidationError } from '../../core/errors.ts';
import { actorOf } from '../../http/auth.ts';
import { resourceRoutes } from '../../http/resource-routes.ts';
import { errorResponses } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import {
  CreateWhitelistBody,
  ListWhitelistQuery,
  UpdateWhitelistBody,
  WhitelistEntry,
  WhitelistImportBody,
  WhitelistImportRejected,
  WhitelistImportResult,
  WhitelistTestBody,
  WhitelistTestResult,
} from './schemas.ts';
import { ImportRejected, type WhitelistService } from './service.ts';

const tags = ['whitelist'];

/**
 * What the game-client API answers a caller (handed in by the composition root, from modules/client): the
 * status and game-world answers, and a client version's when asked. A lookup that fails (unknown version)
 * resolves to its problem.
 */
export type ClientDecisions = (
  caller: { accountId?: string; ip?: string; lang?: string },
  version?: { channel: string; subChannel: string; version: string; patchVersion?: string },
) => Promise<{ status: unknown; gameWorlds: unknown; clientVersion: unknown }>;

const CSV_HEADER = 'id,type,value,memo,enabled,startsAt,endsAt,createdAt,updatedAt\r\n';

/** A CSV cell, quoted, with a leading apostrophe on what a spreadsheet would run as a formula. */
function cell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function whitelistRoutes(app: App, whitelist: WhitelistService, decisions: ClientDecisions): void {
  // Before the resource routes: their `/:id` must not be tried for these paths (static segments win anyway).
  app.post('/api/v1/whitelist/import', {
    config: { permission: 'ops.write' },
    schema: {
      operationId: 'importWhitelistEntries',
      summary: 'Import many whitelist entries from lines of text, or check them (dryRun)',
      description:
        'Each line is an account id or an IPv4/IPv6 address or CIDR, optionally followed by `# description` or `, description` (at most 10,000 lines; ' +
        'the body is limited by GATRIX_BODY_LIMIT). Every line is reported with its normalized entry, error or warnings. If any line is invalid nothing ' +
        'is written (422 with the same results); otherwise all new entries are inserted in one transaction, each audited as `whitelist.create`. ' +
        'Values already whitelisted, or repeated, are skipped.',
      tags,
      body: WhitelistImportBody,
      response: { 200: WhitelistImportResult, ...errorResponses(400, 401, 403, 413, 415, 429), 422: WhitelistImportRejected },
    },
    handler: async (request, reply) => {
      try {
        return await whitelist.import(request.body, actorOf(request));
      } catch (err) {
        if (!(err instanceof ImportRejected)) throw err;
        return (reply as FastifyReply)
          .code(422)
          .type('application/problem+json')
          .send({
            type: '/docs/problems#whitelist_import_invalid',
            title: 'Unprocessable Content',
            status: 422,
            detail: err.message,
            code: err.code,
            requestId: request.id,
            errors: err.errors,
            ...err.outcome,
          });
      }
    },
  });

  // ops.write although it writes nothing: POST routes are never open to read-only callers (docs/security.md).
  app.post('/api/v1/whitelist/test', {
    config: { permission: 'ops.write' },
    schema: {
      operationId: 'testWhitelist',
      summary: 'Would this account id / IP get through maintenance?',
      description:
        'Runs the whitelist matcher and the game-client answers (status, game worlds, optionally a client version and patch version) for an account id and/or IP, in `lang` ' +
        "(the caller's own address when `ip` is left out), and lists every entry that matches, with whether it is in effect and why not. Writes nothing, but needs ops.write like the other whitelist actions.",
      tags,
      body: WhitelistTestBody,
      response: { 200: WhitelistTestResult, ...errorResponses(400, 401, 403, 415, 429) },
    },
    handler: async (request) => {
      const { accountId, clientVersion, lang } = request.body;
      const ip = request.body.ip?.trim() ?? request.ip;
      if (isIP(ip) === 0) throw new ValidationError('ip', 'must be an IPv4 or IPv6 address');
      const [matched, answers] = await Promise.all([whitelist.matching(accountId, ip), decisions({ accountId, ip, lang }, clientVersion)]);
      return { callerIp: request.ip, ip, accountId: accountId ?? null, allowed: matched.some((m) => m.inEffect), matched, decisions: answers };
    },
  });

  app.get('/api/v1/whitelist/export.csv', {
    config: { permission: 'ops.read' },
    schema: {
      operationId: 'exportWhitelist',
      summary: 'Every whitelist entry as CSV, oldest first',
      description:
        "Streamed in batches. Cells are quoted; a cell starting with = + - @, tab or CR gets a leading ' so spreadsheets do not run it.",
      tags,
      response: {
        200: {
          description: 'CSV with a header line: id, type, value, memo, enabled, startsAt, endsAt, createdAt, updatedAt',
          content: { 'text/csv': { schema: { type: 'string', examples: [`${CSV_HEADER}"17","ip","203.0.113.0/24","QA office","true","","","2026-01-01T00:00:00.000Z","2026-01-01T00:00:00.000Z"\r\n`] } } },
        },
        ...errorResponses(401, 403, 429),
      },
    },
    handler: (_request, reply) => {
      async function* lines() {
        yield CSV_HEADER;
        for await (const batch of whitelist.batches()) {
          yield batch
            .map((e) => [e.id, e.type, e.value, e.memo, e.enabled, e.startsAt, e.endsAt, e.createdAt, e.updatedAt].map(cell).join(',') + '\r\n')
            .join('');
        }
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="whitelist-${new Date().toISOString().slice(0, 10)}.csv"`)
        .send(Readable.from(lines()));
    },
  });

  resourceRoutes(app, {
    path: '/api/v1/whitelist',
    tags,
    permissions: { read: 'ops.read', write: 'ops.write' },
    schemas: { item: WhitelistEntry, query: ListWhitelistQuery, create: CreateWhitelistBody, update: UpdateWhitelistBody },
    service: whitelist,
    list: {
      operationId: 'listWhitelistEntries',
      summary: 'List whitelist entries',
      description: '`q` matches part of the value or memo, case-insensitively.',
    },
    create: {
      operationId: 'createWhitelistEntry',
      summary: 'Whitelist an account or an IP address / CIDR',
      description:
        'An IP value is stored canonically: IPv6 lowercase and compressed (RFC 5952), a CIDR with its host bits cleared ' +
        '(`10.1.2.3/8` → `10.0.0.0/8`), a /32 or /128 as the plain address. An entry lets its account or IP through ' +
        'maintenance while it is enabled and inside its optional startsAt–endsAt window.',
    },
    get: { operationId: 'getWhitelistEntry', summary: 'Get a whitelist entry' },
    update: { operationId: 'updateWhitelistEntry', patchOperationId: 'patchWhitelistEntry', summary: 'Update a whitelist entry (partial: fields not sent are kept)' },
    delete: { operationId: 'deleteWhitelistEntry', summary: 'Delete a whitelist entry' },
  });
}
