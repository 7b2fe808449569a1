// esbuild settings shared by the site build and the TS scripts. Workspace packages are bundled
// from their TypeScript sources (the "source" export condition), so no tsc build is needed first.
import { isBuiltin } from 'node:module';
import { relative, sep } from 'node:path';
import * as esbuild from 'esbuild';

/** A package's Node-only entry (@asma/trainer/node) or a module in a src/node folder (../node/x.js). */
const NODE_ENTRY = /^@asma\/[^/]+\/node$/;
const NODE_FOLDER = /^\.{1,2}\/(.*\/)?node\//;

/** Where `args` imports Node-only code from, as the import is written, or null. */
function nodeOnly(args) {
  if (isBuiltin(args.path)) return args.path;
  const workspace = !args.importer.split(sep).includes('node_modules');
  return workspace && (NODE_ENTRY.test(args.path) || NODE_FOLDER.test(args.path)) ? args.path : null;
}

/**
 * The browser bundle must not reach Node: a static import of a Node built-in (node:fs, fs, ...) or
 * of a package's ./node entry fails the build, naming the file that imports it. Node-only code goes
 * in the package's ./node entry. A dynamic import() of Node code (a branch that needs Node, e.g.
 * writing a checkpoint when a path is given) is left out of the bundle: it fails only if run.
 */
export const noNodeImports = {
  name: 'no-node-imports',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      const what = nodeOnly(args);
      if (what === null) return undefined;
      if (args.kind === 'dynamic-import') return { path: args.path, external: true };
      const from = relative(process.cwd(), args.importer) || args.importer;
      return {
        errors: [
          {
            text: `${from} imports '${what}', which is Node-only: a browser bundle cannot use it (Node-only code belongs in a package's ./node entry, e.g. @asma/trainer/node)`,
          },
        ],
      };
    });
  },
};

/** Bundle the page's entry for browsers into one ES module. */
export async function bundleBrowser(entry, outfile, { minify = true, logLevel = 'warning' } = {}) {
  return esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    conditions: ['source'],
    minify,
    sourcemap: false,
    legalComments: 'none',
    logLevel,
    plugins: [noNodeImports],
  });
}

/** Bundle a TypeScript script for Node (to run build helpers without a tsc build). */
export async function bundleNode(entry, outfile) {
  return esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: ['node20'],
    conditions: ['source'],
    logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
}
