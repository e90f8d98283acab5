/**
 * The console's built files (console/dist, `npm run build-console`) at /console: hashed assets
 * cached for good, every other path answered with index.html (the app routes in the browser),
 * under a strict Content-Security-Policy (scripts, styles and requests from this origin only;
 * no framing).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Response } from 'express';
import { HttpError } from '../http/inbound/errors';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Where the built console is: console/dist from src/ (tsx) and from dist/src/ (compiled). */
export function defaultConsoleDir(): string {
  const candidates = [join(__dirname, '..', '..', 'console', 'dist'), join(__dirname, '..', '..', '..', 'console', 'dist')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? (candidates[0] as string);
}

function secure(res: Response): void {
  res.setHeader('content-security-policy', CONSOLE_CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
}

export function consoleAssetsRouter(dir: string): express.Router {
  const router = express.Router();
  const index = join(dir, 'index.html');
  router.use(
    '/assets',
    express.static(join(dir, 'assets'), {
      index: false,
      fallthrough: false,
      immutable: true,
      maxAge: '365d',
      setHeaders: (res) => secure(res),
    }),
  );
  router.get('/{*path}', (_req, res) => {
    if (!existsSync(index)) {
      throw new HttpError(
        503,
        'console_not_built',
        'the console is not built: run `npm run build-console` (npm start and npm run build do)',
        undefined,
        {
          'Retry-After': '60',
        },
      );
    }
    secure(res);
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
