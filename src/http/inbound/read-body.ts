/**
 * Reads a request body into memory up to a limit, counting bytes as they arrive (after
 * decompression), and stops at the limit: a chunked or lying upload is refused with 413
 * while it streams, neither buffered nor drained to its end (body-parser drains the rest of
 * the request before answering, which lets a sender hold the connection forever).
 */
import type { Request } from 'express';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable, Transform } from 'node:stream';
import { HttpError, PayloadTooLargeError } from './errors';

function decoder(encoding: string): Transform | undefined {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

export function readBody(req: Request, limit: number): Promise<Buffer> {
  const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase();
  let stream: Readable = req;
  if (encoding !== 'identity') {
    const d = decoder(encoding);
    if (!d)
      return Promise.reject(
        new HttpError(415, 'unsupported_encoding', `content encoding "${encoding}" is not supported (gzip, deflate, br)`),
      );
    stream = req.pipe(d);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: Error | undefined, body?: Buffer) => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      req.off('close', onClose);
      if (err) {
        // Stop reading: the error handler answers and closes the connection.
        if (stream !== req) {
          req.unpipe();
          stream.destroy();
        }
        req.pause();
        reject(err);
      } else resolve(body ?? Buffer.alloc(0));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return finish(new PayloadTooLargeError(limit));
      chunks.push(chunk);
    };
    const onEnd = () => finish(undefined, Buffer.concat(chunks, size));
    const onError = (e: Error) =>
      finish(
        stream === req
          ? new HttpError(400, 'request_aborted', 'the request body could not be read')
          : new HttpError(400, 'invalid_encoding', `body is not valid ${encoding}: ${e.message}`),
      );
    const onClose = () => {
      if (!req.complete) finish(new HttpError(400, 'request_aborted', 'the client aborted the request'));
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    req.on('close', onClose);
  });
}
