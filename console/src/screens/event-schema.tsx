/** One event type's JSON Schema (GET /v1/event-types/{name}/schema): its data fields, then the whole document. */
import { getJson, seg } from '../api';
import { FormError } from '../components/field';
import { useLoad } from '../components/use-load';
import { Link, type RouteProps } from '../router';

interface JsonSchema {
  type?: string | string[];
  const?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
}

function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf) return s.anyOf.map(typeOf).join(' | ');
  if (Array.isArray(s.type)) return s.type.join(' | ');
  if (s.type === 'array' && s.items) return `${typeOf(s.items)}[]`;
  return s.type ?? 'any';
}

/** Rows of `schema`'s properties, nested ones by dotted path. */
function fields(schema: JsonSchema, prefix = '', depth = 0): { path: string; type: string; required: boolean }[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, s]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    const row = { path, type: typeOf(s), required: (schema.required ?? []).includes(key) };
    return [row, ...(depth < 3 ? fields(s, path, depth + 1) : [])];
  });
}

export function EventSchemaScreen({ params }: RouteProps) {
  const name = params.name ?? '';
  const { data, error } = useLoad((signal) => getJson<JsonSchema>(`/v1/event-types/${seg(name)}/schema`, signal), [name]);
  return (
    <section>
      <p>
        <Link to="/event-types">← Event catalog</Link>
      </p>
      <h1>
        <code>{name}</code>
      </h1>
      <FormError error={error} />
      {data ? (
        <>
          {data.description ? <p class="muted">{data.description}</p> : null}
          <table class="schema-fields">
            <thead>
              <tr>
                <th>Field</th>
                <th>Type</th>
                <th>Required</th>
              </tr>
            </thead>
            <tbody>
              {fields(data).map((f) => (
                <tr key={f.path} data-field-path={f.path}>
                  <td>
                    <code>{f.path}</code>
                  </td>
                  <td>
                    <code>{f.type}</code>
                  </td>
                  <td>{f.required ? 'required' : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>JSON Schema</h2>
          <pre class="schema" data-schema={name}>
            {JSON.stringify(data, null, 2)}
          </pre>
        </>
      ) : null}
    </section>
  );
}
