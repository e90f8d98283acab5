/**
 * The client address failed authentications are counted under (the auth throttle's
 * per-address limit): Express's `req.ip`, which honours `trust proxy`, else the socket's peer.
 */
import type { Request } from 'express';

export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
