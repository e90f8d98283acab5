/**
 * Logs (pino) for the receiver and the worker, with secrets redacted; the Temporal SDK logs
 * into the same sink. JSON lines for machines (files, collectors, containers); on a terminal,
 * pino's own pretty printer, one readable line per record (RELAY_LOG_FORMAT forces either).
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';

export type { Logger };

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.apiKey',
  '*.password',
  '*.secret',
  '*.clientSecret',
  '*.token',
];

export type LogFormat = 'json' | 'pretty';

/** The format asked for, else pretty when stdout is a terminal (a person reads it) and JSON otherwise. */
export function logFormat(asked: LogFormat | undefined, stdoutIsTty = process.stdout.isTTY === true): LogFormat {
  return asked ?? (stdoutIsTty ? 'pretty' : 'json');
}

/** A pretty printer writing to `destination` (stdout when absent), synchronously so no line is lost at exit. */
export function prettyStream(destination?: NodeJS.WritableStream, colorize?: boolean): NodeJS.WritableStream {
  return pretty({
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
    ignore: 'pid,hostname',
    ...(colorize !== undefined ? { colorize } : {}),
    ...(destination ? { destination } : {}),
  });
}

export function createLogger(
  level: string,
  name = 'loyalty-relay',
  destination?: NodeJS.WritableStream,
  format: LogFormat = 'json',
): Logger {
  const options = { name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (format === 'pretty') return pino(options, prettyStream(destination));
  return destination ? pino(options, destination) : pino(options);
}

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Route the Temporal SDK's logger (workflows, activities, worker) into pino. */
export function sdkLogger(logger: Logger): SdkLogger {
  const emit = (level: LogLevel, message: string, meta?: LogMetadata) => logger[LEVELS[level]](meta ?? {}, message);
  return {
    log: emit,
    trace: (m, meta) => emit('TRACE', m, meta),
    debug: (m, meta) => emit('DEBUG', m, meta),
    info: (m, meta) => emit('INFO', m, meta),
    warn: (m, meta) => emit('WARN', m, meta),
    error: (m, meta) => emit('ERROR', m, meta),
  };
}
