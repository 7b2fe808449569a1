/**
 * Where Node-only parts of a run (files, the terminal progress bar) can load: a clear error instead
 * of a bundler's "failed to fetch dynamically imported module" when a browser asks for them.
 */

/** Whether this runtime is Node (file system, stderr): false in browsers and web workers. */
export function isNodeRuntime(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: unknown } } }).process;
  return typeof p?.versions?.node === 'string';
}

export class NodeOnlyError extends Error {
  override name = 'NodeOnlyError';
}

/**
 * Loads a module of Node-only helpers (`load` is a literal `() => import('...')`, so bundlers see it),
 * or throws NodeOnlyError naming `what` asked for it and how to run without it.
 */
export async function loadNodeOnly<T>(what: string, instead: string, load: () => Promise<T>): Promise<T> {
  if (!isNodeRuntime())
    throw new NodeOnlyError(`${what} needs Node (files, the terminal); in a browser ${instead}`);
  return load();
}
