/**
 * DNS rebinding guard: a page on an attacker's domain whose name was re-pointed at 127.0.0.1 reaches
 * the viewer with its own name in the Host header. Only the loopback names, with the server's port,
 * are answered.
 */
export function allowedHost(header: string | undefined, port: number): boolean {
  if (header === undefined) return false;
  const h = header.toLowerCase();
  return h === `127.0.0.1:${port}` || h === `localhost:${port}` || h === `[::1]:${port}`;
}
