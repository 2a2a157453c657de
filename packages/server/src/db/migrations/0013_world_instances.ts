import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  // The running servers of each game world, registered by their own heartbeats (modules/game-worlds/instances.ts).
  await db.schema
    .createTable('world_instances')
    .addColumn('world_id', 'integer', (c) => c.notNull().references('game_worlds.id').onDelete('cascade'))
    .addColumn('instance_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('address', 'varchar(255)', (c) => c.notNull())
    .addColumn('region', 'varchar(64)')
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('players', 'integer', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('version', 'varchar(64)')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('up', 'integer', (c) => c.notNull())
    .addColumn('registered_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('last_seen_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('down_at', 'varchar(32)')
    .addPrimaryKeyConstraint('world_instances_pk', ['world_id', 'instance_id'])
    .execute();
  // The sweep's two questions: up instances not seen since a cutoff, down instances to prune.
  await db.schema.createIndex('world_instances_up_seen').on('world_instances').columns(['up', 'last_seen_at']).execute();
}
