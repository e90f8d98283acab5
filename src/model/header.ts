/** What an HTTP header may be, as configuration checks it (destination headers, source auth, alert headers). */

/** Header values: visible ASCII and spaces only (no CR/LF, no control or non-ASCII characters). */
export const HEADER_VALUE_WHITELIST = /^[\x20-\x7E]*$/;
/** RFC 9110 token characters. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
