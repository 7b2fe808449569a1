/**
 * Map a request path to a file under the site root, or null. Decodes percent escapes once, rejects
 * NUL bytes and backslashes, resolves "." and ".." and refuses anything outside the root, also
 * through symbolic links (the real path must stay inside the real root).
 */
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';

export function inside(root: string, full: string): boolean {
  const rel = relative(root, full);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

export function resolveSitePath(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const wanted = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const full = resolve(root, `.${wanted.startsWith('/') ? wanted : `/${wanted}`}`);
  if (!inside(root, full)) return null;
  try {
    const real = realpathSync(full);
    if (!inside(realpathSync(root), real) || !statSync(real).isFile()) return null;
    return real;
  } catch {
    return null;
  }
}
