import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProjectClone } from './support/spawned-app';

const ORDER_ENTITY = `import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('orders')
export class OrderEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId!: string;

  @Column({ type: 'numeric', precision: 12, scale: 2 })
  total!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
`;

/** `npm run migration:*` in a fresh clone with no DATABASE_URL: the embedded PGlite mode. */
describe('npm run migration:generate in the embedded mode (e2e)', () => {
  let clone: ProjectClone;
  let env: Record<string, string>;

  beforeAll(() => {
    clone = ProjectClone.create();
    env = { DATA_DIR: join(clone.dir, '.data') };
  });

  afterAll(() => clone?.destroy());

  const npm = async (script: string, args: string[] = []) => {
    const run = clone.npmRun(script, env, args);
    return { code: await run.exited, output: run.output };
  };
  const migrations = () => readdirSync(join(clone.dir, 'src', 'database', 'migrations'));

  it('writes a formatted migration for a new entity, which migration:run then applies', async () => {
    mkdirSync(join(clone.dir, 'src', 'orders'));
    writeFileSync(join(clone.dir, 'src', 'orders', 'order.entity.ts'), ORDER_ENTITY);

    const generated = await npm('migration:generate', ['AddOrders']);
    expect(generated).toMatchObject({ code: 0 });
    const file = migrations().find((name) => name.endsWith('-AddOrders.ts'));
    expect(file).toBeDefined();
    const source = readFileSync(join(clone.dir, 'src', 'database', 'migrations', file!), 'utf8');
    expect(source).toMatch(/^import \{ MigrationInterface, QueryRunner \} from 'typeorm';/);
    expect(source).toMatch(/export class AddOrders\d+ implements MigrationInterface/);
    expect(source).toContain('CREATE TABLE "orders"');
    expect(source).toContain('DROP TABLE "orders"');
    // Only the new table: the existing migrations were applied before the comparison.
    expect(source).not.toContain('"products"');

    const applied = await npm('migration:run');
    expect(applied).toMatchObject({ code: 0 });
    expect(applied.output).toMatch(/Applied AddOrders\d+/);
    // A whole build of a fresh clone and two embedded databases: minutes on a busy machine.
  }, 180_000);

  it('says there is nothing to generate once the schema matches the entities', async () => {
    const again = await npm('migration:generate', ['AddOrdersAgain']);
    expect(again.code).toBe(1);
    expect(again.output).toContain('no migration to generate');
  });

  it('with --scratch, compares against a database in memory, also while a server holds DATA_DIR', async () => {
    // As a running embedded-mode server holds it: this live process's pid in the lock file.
    writeFileSync(join(env.DATA_DIR, 'embedded.pid'), String(process.pid));
    const before = readdirSync(env.DATA_DIR);
    mkdirSync(join(clone.dir, 'src', 'notes'));
    writeFileSync(
      join(clone.dir, 'src', 'notes', 'note.entity.ts'),
      ORDER_ENTITY.replace("'orders'", "'notes'").replace('OrderEntity', 'NoteEntity'),
    );
    const scratch = await npm('migration:generate', ['AddNotes', '--scratch']);
    expect(scratch).toMatchObject({ code: 0 });
    const file = migrations().find((name) => name.endsWith('-AddNotes.ts'))!;
    const source = readFileSync(join(clone.dir, 'src', 'database', 'migrations', file), 'utf8');
    expect(source).toContain('CONSTRAINT "PK_notes" PRIMARY KEY ("id")');
    expect(source).not.toContain('"orders"');
    expect(readdirSync(env.DATA_DIR)).toEqual(before);
    rmSync(join(env.DATA_DIR, 'embedded.pid'));
  }, 120_000);

  it('asks for a PascalCase name', async () => {
    const unnamed = await npm('migration:generate');
    expect(unnamed.code).toBe(1);
    expect(unnamed.output).toContain('npm run migration:generate -- <Name>');
  });
});
