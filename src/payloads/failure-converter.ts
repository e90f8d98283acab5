/**
 * The relay's failure converter: the default one with `encodeCommonAttributes`, so a
 * failure's message and stack trace travel as an encoded payload (sealed by the encryption
 * codec) instead of plain text in history. Loaded by path (DataConverter.failureConverterPath)
 * in the client, the worker and the workflow bundle; it runs in the workflow sandbox too, so
 * it imports nothing but @temporalio/common.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
