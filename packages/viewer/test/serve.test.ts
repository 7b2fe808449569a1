import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentType } from '../src/server/content-type.js';
import { type RunningServer, serveSite } from '../src/server/serve.js';

/** A raw GET so paths like /../x reach the server unnormalised (fetch would resolve them). */
function get(
  url: string,
  path: string,
  hostHeader?: string,
): Promise<{ status: number; type: string; body: string }> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const headers = hostHeader === undefined ? {} : { Host: hostHeader };
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => ok({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    });
    req.on('error', fail);
    req.end();
  });
}

let dir: string;
let site: string;
let server: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'asma-serve-'));
  site = join(dir, 'site');
  mkdirSync(join(site, 'sub'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<p>home</p>');
  writeFileSync(join(site, 'app.js'), 'export {};');
  writeFileSync(join(site, 'sub', 'a.json'), '{}');
  writeFileSync(join(dir, 'secret.txt'), 'secret');
  symlinkSync(join(dir, 'secret.txt'), join(site, 'link.txt'));
  writeFileSync(join(dir, 'm.safetensors'), 'MODEL');
  server = await serveSite({ root: site, port: 0, model: join(dir, 'm.safetensors'), index: 3 });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('serveSite', () => {
  it('answers only Host 127.0.0.1:<port> and localhost:<port> (DNS rebinding)', async () => {
    const port = new URL(server.url).port;
    for (const ok of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`])
      expect((await get(server.url, '/', ok)).status, ok).toBe(200);
    for (const bad of [
      `evil.example:${port}`,
      'evil.example',
      `127.0.0.1:${Number(port) + 1}`,
      '127.0.0.1',
      'localhost',
      `localhost.evil.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
    ]) {
      const r = await get(server.url, '/', bad);
      expect(r.status, bad).toBe(403);
      expect(r.body).toContain('Host must be 127.0.0.1:<port> or localhost:<port>');
    }
  });

  it('listens on 127.0.0.1 and serves files with their content types', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const home = await get(server.url, '/');
    expect(home).toMatchObject({ status: 200, body: '<p>home</p>' });
    expect(home.type).toBe('text/html; charset=utf-8');
    expect((await get(server.url, '/app.js')).type).toMatch(/^text\/javascript/);
    expect((await get(server.url, '/sub/a.json')).type).toMatch(/^application\/json/);
    expect(contentType('x.npy')).toBe('application/octet-stream');
  });

  it('refuses paths outside the root, encoded or through a link, with 404', async () => {
    for (const p of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/sub/..%2f..%2fsecret.txt',
      '/link.txt',
      '/..%5csecret.txt',
      '/%00',
      '/%zz',
      '/nope.js',
      '/sub',
    ])
      expect((await get(server.url, p)).status, p).toBe(404);
  });

  it('serves --model through config.json', async () => {
    const config = JSON.parse((await get(server.url, '/config.json')).body);
    expect(config).toMatchObject({ model: 'user/model.safetensors', data: 'sample.npy', index: 3 });
    expect((await get(server.url, `/${config.model}`)).body).toBe('MODEL');
  });

  it('only binds loopback addresses and checks the files it is given', async () => {
    await expect(serveSite({ root: site, host: '0.0.0.0' })).rejects.toThrow(/loopback/);
    await expect(serveSite({ root: site, data: join(dir, 'missing.npy') })).rejects.toThrow(
      /--data: no such file/,
    );
  });
});
