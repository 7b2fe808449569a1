/**
 * A small static server for the viewer site on a loopback address (node:http): GET and HEAD only,
 * paths confined to the site root, 404 for anything else. With `model` or `data` it also serves
 * those files and a config.json pointing the page at them.
 */

import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, resolve } from 'node:path';
import { contentType } from './content-type.js';
import { allowedHost } from './host-check.js';
import { resolveSitePath } from './resolve-path.js';

export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '::1'];

export interface ServeOptions {
  /** The built site folder. */
  root: string;
  /** Loopback only (default 127.0.0.1). */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** A classifier .safetensors to run instead of the site's model. */
  model?: string;
  /** An (N, 3, T, 25, M) .npy to show instead of the sample clips. */
  data?: string;
  /** Clip shown first (default 0). */
  index?: number;
}

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const MODEL_ROUTE = '/user/model.safetensors';
const DATA_ROUTE = '/user/data.npy';

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${text}\n`);
}

function sendFile(req: IncomingMessage, res: ServerResponse, path: string): void {
  res.writeHead(200, {
    'Content-Type': contentType(path),
    'Content-Length': statSync(path).size,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(path).pipe(res);
}

function checkFile(option: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const full = resolve(path);
  if (!existsSync(full) || !statSync(full).isFile()) throw new Error(`--${option}: no such file '${path}'`);
  return full;
}

/** Start serving; resolves once listening, with the URL to open. */
export async function serveSite(o: ServeOptions): Promise<RunningServer> {
  const host = o.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.includes(host))
    throw new Error(`host must be a loopback address (${LOOPBACK_HOSTS.join(', ')}), got '${host}'`);
  const root = resolve(o.root);
  const model = checkFile('model', o.model);
  const data = checkFile('data', o.data);
  const config =
    model || data
      ? JSON.stringify({
          data: data ? DATA_ROUTE.slice(1) : 'sample.npy',
          labels: data ? null : 'sample.json',
          model: model ? MODEL_ROUTE.slice(1) : 'model.safetensors',
          index: o.index ?? 0,
          names: { data: data ? basename(data) : null, model: model ? basename(model) : null },
        })
      : null;
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'method not allowed');
    }
    if (!allowedHost(req.headers.host, (server.address() as AddressInfo).port))
      return send(res, 403, 'forbidden: Host must be 127.0.0.1:<port> or localhost:<port>');
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      return send(res, 400, 'bad request');
    }
    if (config && pathname === '/config.json') {
      res.writeHead(200, { 'Content-Type': contentType('.json'), 'Cache-Control': 'no-store' });
      return res.end(req.method === 'HEAD' ? undefined : config);
    }
    if (model && pathname === MODEL_ROUTE) return sendFile(req, res, model);
    if (data && pathname === DATA_ROUTE) return sendFile(req, res, data);
    const file = resolveSitePath(root, pathname);
    if (!file) return send(res, 404, 'not found');
    sendFile(req, res, file);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    server,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
