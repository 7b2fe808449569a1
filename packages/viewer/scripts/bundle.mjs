// esbuild settings shared by the site build and the TS scripts. Workspace packages are bundled
// from their TypeScript sources (the "source" export condition), so no tsc build is needed first.
import { builtinModules, createRequire } from 'node:module';
import * as esbuild from 'esbuild';

/**
 * The browser bundle: @asma/* index files also export file-system helpers, so node:* imports are
 * replaced by modules whose every export throws when called (never on import). Nothing the page
 * runs calls them; if something did, the error says which function it was.
 */
export const nodeStubPlugin = {
  name: 'node-stub',
  setup(build) {
    build.onResolve({ filter: /^node:|^(fs|path|crypto|util|os|module|url|worker_threads)$/ }, (args) => ({
      path: args.path.replace(/^node:/, ''),
      namespace: 'node-stub',
    }));
    const require = createRequire(import.meta.url);
    build.onLoad({ filter: /.*/, namespace: 'node-stub' }, (args) => {
      const real = builtinModules.includes(args.path) ? require(`node:${args.path}`) : {};
      const names = Object.keys(real).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
      const lines = names.map(
        (n) =>
          `export const ${n} = () => { throw new Error('node:${args.path}.${n} is not available in the browser'); };`,
      );
      lines.push('export default {};');
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

/** Bundle the page's entry for browsers into one ES module. */
export async function bundleBrowser(entry, outfile, { minify = true } = {}) {
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
    logLevel: 'warning',
    plugins: [nodeStubPlugin],
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
