// Types of bundle.mjs, for the TypeScript tests that bundle pages with it.
import type { BuildResult, LogLevel, Plugin } from 'esbuild';

/** Fails a browser build that reaches Node (a static import of a built-in or of a ./node entry). */
export declare const noNodeImports: Plugin;

export declare function bundleBrowser(
  entry: string,
  outfile: string,
  opts?: { minify?: boolean; logLevel?: LogLevel },
): Promise<BuildResult>;

export declare function bundleNode(entry: string, outfile: string): Promise<BuildResult>;
