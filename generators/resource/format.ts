import { Rule, Tree } from '@angular-devkit/schematics';
import { format, resolveConfig } from 'prettier';

/** Formats every TypeScript file the schematic wrote or changed, with the project's Prettier settings. */
export function formatWritten(): Rule {
  return async (tree: Tree) => {
    const options = await resolveConfig(`${process.cwd()}/src/main.ts`);
    for (const action of tree.actions) {
      if ((action.kind !== 'c' && action.kind !== 'o') || !action.path.endsWith('.ts')) continue;
      const source = tree.readText(action.path);
      tree.overwrite(action.path, await format(source, { ...options, parser: 'typescript' }));
    }
  };
}
