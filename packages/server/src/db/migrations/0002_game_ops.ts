import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import { idColumn, type Dialect } from '../dialect.ts';

/**
 * The maintenance columns a game world and the global maintenance row share. maintenance_enabled: an operator
 * asked for maintenance (now or in a window); maintenance: it is in effect now. The scheduler moves the
 * second to follow the first.
 */
function maintenanceColumns<T extends string, C extends string>(t: CreateTableBuilder<T, C>) {
  return t
    .addColumn('maintenance_enabled', 'integer', (c) => c.notNull())
    .addColumn('maintenance', 'integer', (c) => c.notNull())
    .addColumn('maintenance_message', 'text')
    .addColumn('maintenance_messages', 'text', (c) => c.notNull())
    .addColumn('maintenance_starts_at', 'varchar(32)')
    .addColumn('maintenance_ends_at', 'varchar(32)');
}

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('game_worlds')
    .addColumn('id', 'integer', (c) => idColumn(c, dialect))
    .addColumn('world_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('visible', 'integer', (c) => c.notNull())
    .addColumn('display_order', 'integer', (c) => c.notNull())
    .addColumn('region', 'varchar(64)')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('custom_payload', 'text')
    .$call(maintenanceColumns)
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('game_worlds_world_id_uq').on('game_worlds').unique().expression(sql`lower(world_id)`).execute();
  await db.schema.createIndex('game_worlds_order_idx').on('game_worlds').columns(['display_order', 'id']).execute();

  await db.schema
    .createTable('global_maintenance')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .$call(maintenanceColumns)
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db
    .insertInto('global_maintenance' as never)
    .values({
      id: 1,
      maintenance_enabled: 0,
      maintenance: 0,
      maintenance_message: null,
      maintenance_messages: '{}',
      maintenance_starts_at: null,
      maintenance_ends_at: null,
      updated_at: new Date(0).toISOString(),
    } as never)
    .execute();

  await db.schema
    .createTable('whitelist_entries')
    .addColumn('id', 'integer', (c) => idColumn(c, dialect))
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('value', 'varchar(128)', (c) => c.notNull())
    .addColumn('memo', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('starts_at', 'varchar(32)')
    .addColumn('ends_at', 'varchar(32)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('whitelist_entries_value_uq').on('whitelist_entries').unique().columns(['type', 'value']).execute();

  await db.schema
    .createTable('client_versions')
    .addColumn('id', 'integer', (c) => idColumn(c, dialect))
    .addColumn('channel', 'varchar(64)', (c) => c.notNull())
    .addColumn('sub_channel', 'varchar(64)', (c) => c.notNull())
    .addColumn('version', 'varchar(64)', (c) => c.notNull())
    .addColumn('status', 'varchar(32)', (c) => c.notNull())
    .addColumn('game_server_address', 'varchar(512)', (c) => c.notNull())
    .addColumn('game_server_address_for_whitelist', 'varchar(512)')
    .addColumn('patch_address', 'varchar(512)', (c) => c.notNull())
    .addColumn('patch_address_for_whitelist', 'varchar(512)')
    .addColumn('min_patch_version', 'varchar(64)')
    .addColumn('guest_mode_allowed', 'integer', (c) => c.notNull())
    .addColumn('external_click_link', 'varchar(2048)')
    .addColumn('custom_payload', 'text')
    .addColumn('maintenance_message', 'text')
    .addColumn('maintenance_messages', 'text', (c) => c.notNull())
    .addColumn('memo', 'text')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('client_versions_version_uq')
    .on('client_versions')
    .unique()
    .columns(['channel', 'sub_channel', 'version'])
    .execute();
}
