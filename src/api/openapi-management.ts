/**
 * The management routes of the OpenAPI document: destinations, credential sets and sources
 * (the same five routes each, versioned with ETag / If-Match), event types and the document.
 */
import { ADMIN, errors, json, NONE, pascal, ref, withETag } from './openapi-parts';

const ADMIN_ERRORS = { 401: ['unauthorized'], 403: ['management_api_disabled'], 503: ['store_unavailable'] };
const BODY_ERRORS = { 400: ['malformed_json'], 413: ['payload_too_large'], 415: ['unsupported_media_type'], 422: ['validation_failed'] };

interface Collection {
  tag: string;
  /** Singular noun, e.g. `destination`; operation ids are built from it. */
  noun: string;
  path: string;
  key: { name: string; description: string };
  schemas: { create: string; update: string; resource: string; list: string };
  conflicts: { create: string[]; update: string[]; delete: string[] };
  /** What the collection's routes have to say beyond the common rules. */
  notes: string;
}

function collectionPaths(c: Collection): Record<string, unknown> {
  const Noun = pascal(c.noun);
  const keyParam = { name: c.key.name, in: 'path', required: true, description: c.key.description, schema: { type: 'string' } };
  return {
    [c.path]: {
      get: {
        tags: [c.tag],
        operationId: `list${Noun}s`,
        summary: `List ${c.noun}s`,
        security: ADMIN,
        responses: { 200: { description: `Every ${c.noun}`, content: json(ref(c.schemas.list)) }, ...errors(ADMIN_ERRORS) },
      },
      post: {
        tags: [c.tag],
        operationId: `create${Noun}`,
        summary: `Create a ${c.noun}`,
        description: c.notes,
        security: ADMIN,
        requestBody: { required: true, content: json(ref(c.schemas.create)) },
        responses: {
          201: withETag(`The ${c.noun}, created (version 1)`, ref(c.schemas.resource)),
          ...errors({ ...ADMIN_ERRORS, ...BODY_ERRORS, 409: c.conflicts.create }),
        },
      },
    },
    [`${c.path}/{${c.key.name}}`]: {
      parameters: [keyParam],
      get: {
        tags: [c.tag],
        operationId: `get${Noun}`,
        summary: `Read a ${c.noun}`,
        security: ADMIN,
        responses: { 200: withETag(`The ${c.noun}`, ref(c.schemas.resource)), ...errors({ ...ADMIN_ERRORS, 404: ['not_found'] }) },
      },
      put: {
        tags: [c.tag],
        operationId: `update${Noun}`,
        summary: `Replace a ${c.noun}`,
        description: `${c.notes} Send the whole entry; name the version it is based on with \`If-Match\` or a \`version\` field.`,
        security: ADMIN,
        parameters: [{ $ref: '#/components/parameters/IfMatch' }],
        requestBody: { required: true, content: json(ref(c.schemas.update)) },
        responses: {
          200: withETag(`The ${c.noun}, changed (a new version; a PUT that changes nothing keeps it)`, ref(c.schemas.resource)),
          ...errors({
            ...ADMIN_ERRORS,
            ...BODY_ERRORS,
            404: ['not_found'],
            409: c.conflicts.update,
            412: ['version_conflict'],
            428: ['precondition_required'],
          }),
        },
      },
      patch: {
        tags: [c.tag],
        operationId: `patch${Noun}`,
        summary: `Change some fields of a ${c.noun} (JSON Merge Patch)`,
        description: `A JSON Merge Patch (RFC 7396, \`Content-Type: application/merge-patch+json\`) applied to the ${c.noun} as GET shows it; the result is then checked and saved exactly as a PUT of it would be. A member set to \`null\` is removed (its default applies); an array is replaced whole; a redacted secret left as it was keeps the stored value. Name the version it is based on with \`If-Match\` or a \`version\` member.`,
        security: ADMIN,
        parameters: [{ $ref: '#/components/parameters/IfMatch' }],
        requestBody: {
          required: true,
          content: {
            'application/merge-patch+json': {
              schema: {
                type: 'object',
                description: `Members of the ${c.noun} to change (\`null\`: remove); the merged result must be a valid ${c.noun}`,
              },
            },
          },
        },
        responses: {
          200: withETag(`The ${c.noun}, changed (a new version; a patch that changes nothing keeps it)`, ref(c.schemas.resource)),
          ...errors({
            ...ADMIN_ERRORS,
            ...BODY_ERRORS,
            404: ['not_found'],
            409: c.conflicts.update,
            412: ['version_conflict'],
            428: ['precondition_required'],
          }),
        },
      },
      delete: {
        tags: [c.tag],
        operationId: `delete${Noun}`,
        summary: `Delete a ${c.noun}`,
        security: ADMIN,
        parameters: [{ $ref: '#/components/parameters/IfMatchRequired' }],
        responses: {
          204: { description: 'Deleted' },
          ...errors({
            ...ADMIN_ERRORS,
            404: ['not_found'],
            409: c.conflicts.delete,
            412: ['version_conflict'],
            428: ['precondition_required'],
          }),
        },
      },
    },
  };
}

const COLLECTIONS: Collection[] = [
  {
    tag: 'Destinations',
    noun: 'destination',
    path: '/v1/destinations',
    key: { name: 'name', description: 'The destination name' },
    schemas: { create: 'Destination', update: 'DestinationUpdate', resource: 'DestinationResource', list: 'DestinationList' },
    conflicts: { create: ['name_taken', 'credential_exists'], update: ['immutable_field', 'credential_exists'], delete: [] },
    notes:
      'The body is one `destinations:` entry of the configuration file, with the same rules. A webhook `auth` may hold a new credential set instead of a name. Secret values are given as values (not `${ENV}` references) and stored encrypted; a webhook header is secret with `secret: true`.',
  },
  {
    tag: 'Credentials',
    noun: 'credential',
    path: '/v1/credentials',
    key: { name: 'name', description: 'The credential set name' },
    schemas: { create: 'Credential', update: 'CredentialUpdate', resource: 'CredentialResource', list: 'CredentialList' },
    conflicts: { create: ['name_taken'], update: [], delete: ['credential_in_use'] },
    notes:
      'The body is one `credentials:` entry of the configuration file; `password`, `token`, `value` and `clientSecret` are stored encrypted.',
  },
  {
    tag: 'Sources',
    noun: 'source',
    path: '/v1/sources',
    key: { name: 'sourceId', description: 'The source id (as in /v1/sources/{sourceId}/events)' },
    schemas: { create: 'Source', update: 'SourceUpdate', resource: 'SourceResource', list: 'SourceList' },
    conflicts: { create: ['name_taken'], update: [], delete: ['source_in_use'] },
    notes: 'The body is one `sources:` entry of the configuration file; the credentials of its `auth` are stored encrypted.',
  },
];

const metaPaths = {
  '/v1/openapi.json': {
    get: {
      tags: ['Management'],
      operationId: 'openApiDocument',
      security: NONE,
      summary: 'This document (no authentication)',
      responses: { 200: { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } },
    },
  },
  '/v1/event-types': {
    get: {
      tags: ['Management'],
      operationId: 'eventTypes',
      summary: 'Event names a destination can subscribe to',
      security: ADMIN,
      responses: { 200: { description: 'By source kind', content: json(ref('EventTypes')) }, ...errors(ADMIN_ERRORS) },
    },
  },
};

const destinationName = { name: 'name', in: 'path', required: true, description: 'The destination name', schema: { type: 'string' } };

/** Pause and resume: state of a live destination (no new version, no If-Match; the last request wins). */
const pausePaths = {
  '/v1/destinations/{name}/pause': {
    parameters: [destinationName],
    post: {
      tags: ['Destinations'],
      operationId: 'pauseDestination',
      summary: 'Pause a destination',
      description:
        'Deliveries to it wait in their runs (held, no attempt made) until it is resumed; events are still accepted and planned for it. Pausing a paused destination changes nothing (200, the first reason and time stay). Unlike `enabled: false`, nothing is dropped.',
      security: ADMIN,
      requestBody: { required: false, content: json(ref('PauseRequest')) },
      responses: {
        200: { description: 'Paused (or already paused: unchanged)', content: json(ref('PauseState')) },
        ...errors({ ...ADMIN_ERRORS, ...BODY_ERRORS, 404: ['not_found'] }),
      },
    },
  },
  '/v1/destinations/{name}/resume': {
    parameters: [destinationName],
    post: {
      tags: ['Destinations'],
      operationId: 'resumeDestination',
      summary: 'Resume a destination',
      description:
        'Clears the pause, then signals every run holding deliveries for it: they deliver (each destination with its own concurrency cap). Resuming an active destination is harmless. On 503 `held_runs_not_woken` the destination is resumed but its held runs were not woken: send resume again.',
      security: ADMIN,
      responses: {
        200: { description: 'Resumed; `woken` runs were signalled', content: json(ref('PauseState')) },
        ...errors({
          ...ADMIN_ERRORS,
          400: ['malformed_json'],
          404: ['not_found'],
          415: ['unsupported_media_type'],
          503: ['store_unavailable', 'held_runs_not_woken'],
        }),
      },
    },
  },
};

export function managementPaths(): Record<string, unknown> {
  return Object.assign({ ...metaPaths }, ...COLLECTIONS.map(collectionPaths), pausePaths) as Record<string, unknown>;
}
