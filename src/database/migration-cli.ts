import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { checkEnvironment, exitOnStartupError } from '../config/validate-environment';
import { EmbeddedPostgres } from './embedded-postgres';
import { typeormOptions } from './typeorm-options';

const USAGE =
  'Usage: npm run migration:generate -- <Name> [--scratch] | migration:run | migration:revert';
const ROOT = join(__dirname, '..', '..');
const SOURCE_MIGRATIONS = join(ROOT, 'src', 'database', 'migrations');

/**
 * `npm run migration:*` on the database the service would use: `DATABASE_URL`, or with it unset the
 * embedded PGlite under `DATA_DIR`, started here for the purpose (stop a running embedded-mode
 * server first: one process at a time owns that folder). Runs the TypeORM API rather than its CLI so
 * that `generate` first applies pending migrations and diffs the entities against the schema they
 * build, and names the file from a plain `<Name>`. `generate <Name> --scratch` compares against a
 * throw-away database in memory instead (the migrations applied, then the entities): it touches no
 * database and no data folder, so it also works while an embedded-mode server runs.
 */
async function main([command, name, ...flags]: string[]): Promise<void> {
  if (!['run', 'revert', 'generate'].includes(command)) throw new Error(USAGE);
  if (command === 'generate' && !isMigrationName(name)) {
    throw new Error(`${USAGE}\n<Name> is PascalCase, e.g. AddOrders`);
  }
  const scratch = command === 'generate' && flags.includes('--scratch');
  const config = new AppConfig(checkEnvironment());
  const embedded = scratch
    ? await EmbeddedPostgres.inMemory(2)
    : config.database.url
      ? null
      : await EmbeddedPostgres.start(config.database.dataDir, 2);
  const dataSource = new DataSource(
    typeormOptions(embedded?.url ?? config.database.url!, 1, false),
  );
  await dataSource.initialize();
  try {
    if (command === 'run') await run(dataSource);
    else if (command === 'revert') await dataSource.undoLastMigration({ transaction: 'each' });
    else await generate(dataSource, name);
  } finally {
    await dataSource.destroy();
    await embedded?.stop();
  }
}

async function run(dataSource: DataSource): Promise<void> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  for (const migration of applied) console.log(`Applied ${migration.name}`);
  if (applied.length === 0) console.log('No pending migrations: the schema is up to date');
}

const isMigrationName = (name: string | undefined): name is string =>
  name !== undefined && /^[A-Z][A-Za-z0-9]*$/.test(name);

async function generate(dataSource: DataSource, name: string): Promise<void> {
  await run(dataSource);
  const { upQueries, downQueries } = await dataSource.driver.createSchemaBuilder().log();
  if (upQueries.length === 0) {
    console.log('The entities match the schema: no migration to generate');
    process.exitCode = 1;
    return;
  }
  const timestamp = Date.now();
  const file = join(SOURCE_MIGRATIONS, `${timestamp}-${name}.ts`);
  writeFileSync(
    file,
    await formatted(migrationSource(`${name}${timestamp}`, upQueries, [...downQueries].reverse())),
  );
  console.log(`Generated ${relative(process.cwd(), file)}: read it, then npm start applies it`);
}

interface Query {
  query: string;
  parameters?: unknown[];
}

function migrationSource(className: string, up: Query[], down: Query[]): string {
  const statements = (queries: Query[]) =>
    queries
      .map(({ query, parameters }) => {
        const sql = query.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
        const params = parameters?.length ? `, ${JSON.stringify(parameters)}` : '';
        return `    await queryRunner.query(\`${sql}\`${params});`;
      })
      .join('\n');
  return `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${statements(up)}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${statements(down)}
  }
}
`;
}

/** PGlite's version, from its package.json (which its `exports` do not list). */
/** Formatted as the project's other sources when Prettier is installed (a development install). */
async function formatted(source: string): Promise<string> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const prettier = require('prettier') as typeof import('prettier');
    const options = await prettier.resolveConfig(SOURCE_MIGRATIONS);
    return await prettier.format(source, { ...options, parser: 'typescript' });
  } catch {
    return source;
  }
}

main(process.argv.slice(2)).catch(exitOnStartupError);
