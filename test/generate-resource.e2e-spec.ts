import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { check, resolveConfig } from 'prettier';
import request from 'supertest';
import { parseResource } from '../generators/resource/resource-spec';
import { freeUrl, ProjectClone, SpawnedApp } from './support/spawned-app';
import { isolatedEnv } from './support/test-env';

/** Every field type, some optional: what the outside checks generate. */
const OWNER_FIELDS =
  'number:string,amount:decimal,note:text?,quantity:int,paid:boolean,customerId:uuid?,dueAt:date';
const CATALOG_FIELDS =
  'title:string,body:text,priority:int?,price:decimal?,open:boolean?,assigneeId:uuid,dueOn:date?';

/** Each bad input, and the start of the one line that says what is wrong with it. */
const BAD_INPUT: [options: { name?: string; fields?: string; access?: string }, says: RegExp][] = [
  [{ name: 'Invoices', fields: 'a:string' }, /^Bad name "Invoices": a plural lower-case noun/],
  [{ name: 'support_tickets', fields: 'a:string' }, /^Bad name "support_tickets"/],
  [
    { name: 'invoice', fields: 'a:string' },
    /^Bad name "invoice": use the plural, e\.g\. invoices$/,
  ],
  [{ name: 'docs', fields: 'a:string' }, /^Bad name "docs": the service serves \/docs already$/],
  [{ name: `${'x'.repeat(60)}s`, fields: 'a:string' }, /longer than PostgreSQL's 63 characters$/],
  [{ name: 'invoices' }, /^No fields: give --fields/],
  [{ name: 'invoices', fields: 'amount' }, /^Bad field "amount": write <field>:<type>\[\?\]/],
  [{ name: 'invoices', fields: 'amount:money' }, /^Unknown type "money" for field "amount"/],
  [{ name: 'invoices', fields: 'amount:decimal,amount:int' }, /^Field "amount" is listed twice$/],
  [{ name: 'invoices', fields: 'Amount:int' }, /^Bad field name "Amount": camelCase/],
  [{ name: 'invoices', fields: 'due_at:date' }, /^Bad field name "due_at": camelCase/],
  [{ name: 'invoices', fields: 'class:string' }, /^Bad field name "class": a reserved word/],
  ...['id', 'ownerId', 'createdAt', 'updatedAt', 'owner'].map(
    (column): [{ name: string; fields: string }, RegExp] => [
      { name: 'invoices', fields: `title:string,${column}:string` },
      new RegExp(`^Field "${column}" is a column the generator adds`),
    ],
  ),
  [{ name: 'invoices', fields: 'a:string', access: 'public' }, /^Unknown access "public"/],
];

/**
 * The generator in a copy of the project, as a user runs it: one clone for every case, two
 * resources (one per `--access`, every field type between them), then the project's checks and
 * the generated e2e tests, inside the clone.
 */
describe('npm run generate:resource (e2e)', () => {
  let clone: ProjectClone;
  const generated = ['src/invoices', 'src/support-tickets', 'test/invoices.e2e-spec.ts'];

  beforeAll(() => {
    clone = ProjectClone.create(['generators', 'test', 'eslint.config.mjs']);
  });

  afterAll(() => clone?.destroy());

  /** Runs a command in the clone to its end; answers its exit code and output. */
  const run = async (command: SpawnedApp) => ({
    code: await command.exited,
    output: command.output.trim(),
  });
  const generate = (...args: string[]) => run(clone.npmRun('generate:resource', {}, args));
  const bin = (name: string, args: string[]) =>
    run(SpawnedApp.spawn(join(clone.dir, 'node_modules', '.bin', name), args, clone.dir, {}));

  /** A fingerprint of every file under src/ and test/: equal before and after means nothing changed. */
  const fingerprint = (): Map<string, string> => {
    const files = new Map<string, string>();
    for (const folder of ['src', 'test']) {
      for (const entry of readdirSync(join(clone.dir, folder), {
        recursive: true,
        withFileTypes: true,
      })) {
        if (!entry.isFile()) continue;
        const path = join(entry.parentPath, entry.name);
        files.set(
          relative(clone.dir, path),
          createHash('sha1').update(readFileSync(path)).digest('hex'),
        );
      }
    }
    return files;
  };

  it.each(BAD_INPUT)('refuses %p in one line: %p', (options, says) => {
    expect(() => parseResource(options)).toThrow(says);
  });

  it('answers bad input with one line and exit 1, and writes nothing', async () => {
    const before = fingerprint();
    for (const args of [['invoices', '--fields', 'title:string,ownerId:uuid'], []]) {
      const { code, output } = await generate(...args);
      expect({ args, code, lines: output.split('\n').length }).toEqual({ args, code: 1, lines: 1 });
    }
    expect(fingerprint()).toEqual(before);
  }, 60_000);

  it('writes a resource of each access with every field type; a second run changes nothing and says so', async () => {
    const owner = await generate('invoices', '--fields', OWNER_FIELDS);
    expect(owner).toMatchObject({ code: 0 });
    expect(owner.output).toMatch(/^CREATE src\/database\/migrations\/\d+-AddInvoices\.ts$/m);
    expect(owner.output).toContain('UPDATE src/app.module.ts');
    const catalog = await generate(
      'support-tickets',
      '--access',
      'catalog',
      '--fields',
      CATALOG_FIELDS,
    );
    expect(catalog).toMatchObject({ code: 0 });

    const before = fingerprint();
    expect(await generate('invoices', '--fields', 'other:string')).toEqual({
      code: 0,
      output: 'src/invoices exists already: nothing changed',
    });
    expect(fingerprint()).toEqual(before);

    const migration = [...before.keys()].find((path) => path.endsWith('-AddInvoices.ts'))!;
    const sql = readFileSync(join(clone.dir, migration), 'utf8');
    expect(sql).toContain('CONSTRAINT "PK_invoices" PRIMARY KEY ("id")');
    expect(sql).toContain('CONSTRAINT "CHK_invoices_amount" CHECK ("amount" >= 0)');
    expect(sql).toContain(
      '"FK_invoices_owner_id" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE',
    );
    expect(sql).toContain('CREATE INDEX "IDX_invoices_owner_id_created_at"');
    expect(sql).not.toMatch(/"(PK|FK|IDX|UQ|REL)_[0-9a-f]{20,}"/);
  }, 120_000);

  it('leaves the project type-checked and lint- and Prettier-clean', async () => {
    // The build's sources and the tests written, as `npm run build` and `npm test` check them.
    writeFileSync(
      join(clone.dir, 'tsconfig.generated.json'),
      JSON.stringify({
        extends: './tsconfig.json',
        include: [
          'src',
          'test/support',
          'test/invoices.e2e-spec.ts',
          'test/support-tickets.e2e-spec.ts',
        ],
      }),
    );
    expect(await bin('tsc', ['--noEmit', '-p', 'tsconfig.generated.json'])).toEqual({
      code: 0,
      output: '',
    });
    const files = [...fingerprint().keys()].filter(
      (path) =>
        generated.some((prefix) => path.startsWith(prefix)) ||
        /AddInvoices|AddSupportTickets|app\.module/.test(path),
    );
    expect(await bin('eslint', ['--max-warnings', '0', ...files])).toEqual({ code: 0, output: '' });
    const options = await resolveConfig(join(clone.dir, 'src', 'main.ts'));
    for (const file of files) {
      const source = readFileSync(join(clone.dir, file), 'utf8');
      expect({ file, formatted: await check(source, { ...options, filepath: file }) }).toEqual({
        file,
        formatted: true,
      });
    }
  }, 180_000);

  it('passes the e2e tests it wrote, against PostgreSQL and Redis', async () => {
    const { code, output } = await run(
      clone.npmRun('test:e2e', {}, [
        'test/invoices.e2e-spec.ts',
        'test/support-tickets.e2e-spec.ts',
      ]),
    );
    expect({ code, summary: /^Tests: .*$/m.exec(output)?.[0] }).toEqual({
      code: 0,
      summary: expect.stringMatching(/^Tests: +\d+ passed, \d+ total$/),
    });
  }, 240_000);

  it('serves the new routes from its build, applying the migration it wrote, and lists them in /docs-json', async () => {
    const { port, url } = await freeUrl();
    const app = clone
      .build()
      .run({ ...(await isolatedEnv({ LOG_LEVEL: 'log' })), PORT: String(port), HOST: '127.0.0.1' });
    try {
      await app.waitUntilServing(url);
      expect(app.output).toMatch(/Applied AddInvoices\d+/);
      const doc = (await request(url).get('/docs-json').expect(200)).body;
      for (const path of [
        '/invoices',
        '/invoices/{id}',
        '/support-tickets',
        '/support-tickets/{id}',
      ]) {
        expect(Object.keys(doc.paths)).toContain(path);
      }
      expect(Object.keys(doc.paths['/invoices/{id}'].patch.responses).sort()).toEqual([
        '200',
        '400',
        '401',
        '403',
        '404',
        '409',
        '503',
      ]);
      expect(
        doc.paths['/invoices/{id}'].delete.responses['409'].content['application/json'],
      ).toEqual({
        schema: { $ref: '#/components/schemas/ErrorResponse' },
      });
      await request(url).get('/support-tickets').expect(200);
      await request(url).get('/invoices').expect(401);
    } finally {
      expect(await app.stop()).toBe(0);
    }
  });
});
