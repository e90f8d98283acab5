import type { RouteProps } from '../router';

/** One event type's JSON schema (served by GET /v1/event-types/{name}/schema). */
export function EventSchemaScreen({ params }: RouteProps) {
  return (
    <section>
      <h1>{params.name}</h1>
    </section>
  );
}
