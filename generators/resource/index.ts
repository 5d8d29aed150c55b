import { strings } from '@angular-devkit/core';
import {
  apply,
  applyTemplates,
  chain,
  mergeWith,
  Rule,
  SchematicsException,
  Tree,
  url,
} from '@angular-devkit/schematics';
import { formatWritten } from './format';
import { generateMigration } from './migration';
import { registerModule } from './register-module';
import { parseResource, ResourceSpec } from './resource-spec';
import { templateValues } from './template-values';

/** Thrown when the resource's folder exists: a second run changes nothing. */
export class ResourceExistsException extends SchematicsException {}

/**
 * The `resource` schematic: renders `files/common` and `files/<access>` into `src/<name>/` and
 * `test/`, registers the module in `src/app.module.ts`, formats what it wrote with the project's
 * Prettier settings and generates the migration against the new entity. Everything happens in the
 * schematic's virtual tree, which is written to disk only when every step succeeded.
 */
export function resource(options: { name?: string; fields?: string; access?: string }): Rule {
  return (tree: Tree) => {
    const spec = parseResource(options);
    if (
      tree.getDir(`src/${spec.name}`).subfiles.length +
        tree.getDir(`src/${spec.name}`).subdirs.length >
      0
    ) {
      throw new ResourceExistsException(`src/${spec.name} exists already: nothing changed`);
    }
    return chain([
      render('common', spec),
      render(spec.access, spec),
      registerModule(`${strings.classify(spec.name)}Module`, `./${spec.name}/${spec.name}.module`),
      formatWritten(),
      generateMigration(`Add${strings.classify(spec.name)}`),
    ]);
  };
}

function render(folder: string, spec: ResourceSpec): Rule {
  return mergeWith(apply(url(`./files/${folder}`), [applyTemplates(templateValues(spec))]));
}
