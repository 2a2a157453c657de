import { iso } from '../../core/clock.ts';
import type { AppContext } from '../../context.ts';
import type { Db } from '../../db/index.ts';
import { checkWindow, isoOrNull, patchFrom, toInt } from '../../db/columns.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { ChangeFeed } from '../../events/changes.ts';
import { changeExisting, createNew } from '../../events/record.ts';
import { compareVersions } from '../../core/rules.ts';
import type { CreateNoticeInput, ListNoticesFilter, PublicNotice, UpdateNoticeInput } from './schemas.ts';
import { noticesStore, type NewNoticeRow, type NoticePatchRow } from './store.ts';
import { type Actor } from '../../core/permissions.ts';
import { page, type Page } from '../../core/paging.ts';

const notFound = (id: number) => new NotFoundError(`Notice ${id}`, 'notice_not_found');
/** A notice as its updates and deletes find it. */
const existing = (id: number) => ({ load: (trx: Db) => noticesStore(trx).findById(id), notFound: () => notFound(id) });

declare module '../../events/changes.ts' {
  interface ChangeTopics {
    /** A notice changed (the game-client API's snapshot). */
    notices: Record<string, never>;
  }
}

/** The rules a notice's whole state obeys, whichever fields a request sent: a window ends after it starts, a version range is not empty. */
function check(n: Pick<PublicNotice, 'startsAt' | 'endsAt' | 'minVersion' | 'maxVersion'>): void {
  checkWindow(n.startsAt, n.endsAt);
  if (n.minVersion !== null && n.maxVersion !== null && compareVersions(n.minVersion, n.maxVersion) > 0) {
    throw new ValidationError('maxVersion', 'must not be lower than minVersion');
  }
}

const json = (v: unknown) => JSON.stringify(v);

export function createNoticesService(ctx: AppContext, changes: ChangeFeed) {
  const { db, clock } = ctx;
  const changed = () => changes.publish('notices', {});

  return {
    async list(filter: ListNoticesFilter): Promise<Page<PublicNotice>> {
      const store = noticesStore(db);
      const now = iso(clock);
      const [data, total] = await Promise.all([store.list(filter, now), store.count(filter, now)]);
      return page(data, filter.page, filter.limit, total);
    },

    /** Every enabled notice that has not ended: what the game-client API serves from (match.ts picks per client). */
    live: (): Promise<PublicNotice[]> => noticesStore(db).live(iso(clock)),

    async get(id: number): Promise<PublicNotice> {
      const notice = await noticesStore(db).findById(id);
      if (!notice) throw notFound(id);
      return notice;
    },

    async create(input: CreateNoticeInput, actor: Actor): Promise<PublicNotice> {
      const now = iso(clock);
      const startsAt = isoOrNull(input.startsAt);
      const endsAt = isoOrNull(input.endsAt);
      const minVersion = input.minVersion ?? null;
      const maxVersion = input.maxVersion ?? null;
      check({ startsAt, endsAt, minVersion, maxVersion });
      const row: NewNoticeRow = {
        category: input.category ?? 'notice',
        priority: input.priority ?? 0,
        title: input.title,
        body: input.body,
        translations: json(input.translations ?? {}),
        enabled: toInt(input.enabled ?? true),
        starts_at: startsAt,
        ends_at: endsAt,
        channels: json(input.channels ?? []),
        sub_channels: json(input.subChannels ?? []),
        world_ids: json(input.worldIds ?? []),
        min_version: minVersion,
        max_version: maxVersion,
        created_at: now,
        updated_at: now,
      };
      return createNew(db, clock, {
        write: (trx) => noticesStore(trx).insert(row),
        record: (created) => ({ at: now, actor, action: 'notice.create', target: { type: 'notice', id: created.id }, after: created,
          event: { name: 'notice.created', data: { id: created.id, notice: created } } }),
        afterCommit: changed,
      });
    },

    async update(id: number, input: UpdateNoticeInput, actor: Actor, ifMatch?: string): Promise<PublicNotice> {
      const now = iso(clock);
      return changeExisting(db, clock, existing(id), ifMatch, {
        write: async (trx, before) => {
          const patch: NoticePatchRow = {
            ...patchFrom(input, {
              category: 'category',
              priority: 'priority',
              title: 'title',
              body: 'body',
              translations: ['translations', json],
              enabled: ['enabled', (v) => toInt(Boolean(v))],
              startsAt: ['starts_at', isoOrNull],
              endsAt: ['ends_at', isoOrNull],
              channels: ['channels', json],
              subChannels: ['sub_channels', json],
              worldIds: ['world_ids', json],
              minVersion: 'min_version',
              maxVersion: 'max_version',
            }),
            updated_at: now,
          };
          const kept = <T>(sent: T | undefined, was: T) => (sent === undefined ? was : sent);
          check({
            startsAt: kept(patch.starts_at, before.startsAt),
            endsAt: kept(patch.ends_at, before.endsAt),
            minVersion: kept(patch.min_version, before.minVersion),
            maxVersion: kept(patch.max_version, before.maxVersion),
          });
          return (await noticesStore(trx).update(id, patch))!;
        },
        record: (before, after) => ({ at: now, actor, action: 'notice.update', target: { type: 'notice', id }, before, after,
          event: { name: 'notice.updated', data: { id, notice: after } } }),
        afterCommit: changed,
      });
    },

    async delete(id: number, actor: Actor, ifMatch?: string): Promise<void> {
      await changeExisting(db, clock, existing(id), ifMatch, {
        write: (trx) => noticesStore(trx).delete(id),
        record: (before) => ({ actor, action: 'notice.delete', target: { type: 'notice', id }, before,
          event: { name: 'notice.deleted', data: { id, notice: before } } }),
        afterCommit: changed,
      });
    },
  };
}

export type NoticesService = ReturnType<typeof createNoticesService>;
