import { logging } from '@angular-devkit/core';
import { SchematicsException } from '@angular-devkit/schematics';
import { NodeWorkflow } from '@angular-devkit/schematics/tools';
import { join, resolve } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { parseArgs } from 'node:util';
import { ResourceExistsException } from './resource';

const USAGE =
  'Usage: npm run generate:resource -- <name> --fields "<field>:<type>[?],…" [--access owner|catalog]';

/**
 * `npm run generate:resource`: runs the `resource` schematic of `generators/collection.json` on
 * the project. Prints each file written; on bad input prints one line, writes nothing, exits 1.
 */
async function main(argv: string[]): Promise<void> {
  const root = resolve(__dirname, '..');
  process.chdir(root);
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { fields: { type: 'string' }, access: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new SchematicsException(USAGE);
  const workflow = new NodeWorkflow(root, { force: false, dryRun: false });
  const written: string[] = [];
  workflow.reporter.subscribe((event) => {
    if (event.kind === 'create' || event.kind === 'update') {
      written.push(
        `${event.kind === 'create' ? 'CREATE' : 'UPDATE'} ${event.path.replace(/^\//, '')}`,
      );
    }
  });
  await lastValueFrom(
    workflow.execute({
      collection: join(__dirname, 'collection.json'),
      schematic: 'resource',
      options: { name: positionals[0], ...values },
      logger: new logging.NullLogger(),
    }),
    { defaultValue: undefined },
  );
  console.log(written.join('\n'));
  console.log(
    `Next: read the migration, then npm start applies it; npm test runs test/${positionals[0]}.e2e-spec.ts with the rest.`,
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const line = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  if (error instanceof ResourceExistsException) {
    console.log(line);
  } else {
    console.error(line);
    process.exitCode = 1;
  }
});
