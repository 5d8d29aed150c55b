import { Rule, SchematicsException, Tree } from '@angular-devkit/schematics';
import * as ts from 'typescript';

const APP_MODULE = 'src/app.module.ts';

/**
 * Adds the module to the application's imports: an import declaration, among the relative ones in
 * path order, and the class at the end of the outermost `imports: [...]` of `src/app.module.ts`.
 * Nothing else in the file changes.
 */
export function registerModule(className: string, path: string): Rule {
  return (tree: Tree) => {
    const text = tree.readText(APP_MODULE);
    const source = ts.createSourceFile(APP_MODULE, text, ts.ScriptTarget.Latest, true);
    const imports = outermostImportsArray(source);
    if (!imports)
      throw new SchematicsException(`${APP_MODULE} has no "imports: [...]" to add ${className} to`);
    const declarations = source.statements.filter(ts.isImportDeclaration);
    const specifier = (declaration: ts.ImportDeclaration) =>
      (declaration.moduleSpecifier as ts.StringLiteral).text;
    const next = declarations.find((d) => specifier(d).startsWith('.') && specifier(d) > path);
    const recorder = tree.beginUpdate(APP_MODULE);
    const line = `import { ${className} } from '${path}';\n`;
    if (next) recorder.insertLeft(next.getStart(), line);
    else recorder.insertLeft(declarations[declarations.length - 1].getEnd(), `\n${line.trimEnd()}`);
    const last = imports.elements[imports.elements.length - 1];
    if (last) recorder.insertRight(last.getEnd(), `, ${className}`);
    else recorder.insertRight(imports.getStart() + 1, className);
    tree.commitUpdate(recorder);
  };
}

function outermostImportsArray(node: ts.Node): ts.ArrayLiteralExpression | undefined {
  if (
    ts.isPropertyAssignment(node) &&
    ts.isIdentifier(node.name) &&
    node.name.text === 'imports' &&
    ts.isArrayLiteralExpression(node.initializer)
  ) {
    return node.initializer;
  }
  return ts.forEachChild(node, outermostImportsArray);
}
