import { Rule, SchematicsException, Tree } from '@angular-devkit/schematics';
import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const MIGRATIONS = 'src/database/migrations';

/**
 * Generates the migration the way `npm run migration:generate` does (it runs the project's own
 * migration CLI, `--scratch`): in a scratch copy of `src` with the new files, built by SWC, against
 * a throw-away PGlite in memory. The user's database is never touched, and neither is `.data`,
 * which a running embedded-mode server holds.
 */
export function generateMigration(name: string): Rule {
  return async (tree: Tree) => {
    const root = process.cwd();
    const scratch = mkdtempSync(join(tmpdir(), 'generate-resource-'));
    try {
      for (const entry of ['src', '.swcrc', '.prettierrc']) {
        cpSync(join(root, entry), join(scratch, entry), { recursive: true });
      }
      symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'), 'dir');
      for (const action of tree.actions) {
        if ((action.kind !== 'c' && action.kind !== 'o') || !action.path.startsWith('/src/'))
          continue;
        const file = join(scratch, action.path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, tree.readText(action.path));
      }
      const before = new Set(readdirSync(join(scratch, MIGRATIONS)));
      await run(scratch, [
        require.resolve('@swc/cli/bin/swc.js'),
        ...['src', '-d', 'dist', '--strip-leading-paths', '--ignore', '**/*.spec.ts', '--quiet'],
      ]);
      await run(scratch, ['dist/database/migration-cli.js', 'generate', name, '--scratch']);
      const written = readdirSync(join(scratch, MIGRATIONS)).filter((file) => !before.has(file));
      for (const file of written) {
        tree.create(`${MIGRATIONS}/${file}`, readFileSync(join(scratch, MIGRATIONS, file), 'utf8'));
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  };
}

/** Node with a bare environment, in the scratch folder: no `.env` or variable of the user's applies. */
async function run(cwd: string, args: string[]): Promise<void> {
  try {
    await promisify(execFile)(process.execPath, args, {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const why = `${stderr}${stdout}`.trim().split('\n').pop();
    throw new SchematicsException(`The migration could not be generated: ${why}`);
  }
}
