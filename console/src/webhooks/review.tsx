/** The wizard's review step: the webhook as it will be sent, and any rule still broken. */
import { EVENT_GROUPS, CUSTOM_GROUP } from './event-groups';
import { isBlankRow, toRequest } from './draft';
import type { WebhookForm } from './use-webhook-form';

export function Review({ form }: { form: WebhookForm }) {
  const { draft, errors } = form;
  const group = draft.group === CUSTOM_GROUP ? 'Custom list' : (EVENT_GROUPS.find((g) => g.id === draft.group)?.label ?? '—');
  const headers = draft.headers.filter((h) => !isBlankRow(h));
  const broken = Object.entries(errors);
  const body = toRequest(draft).body;
  return (
    <div class="review" aria-label="Review">
      <table>
        <tbody>
          <tr>
            <th>Name</th>
            <td data-review="name">{draft.name}</td>
          </tr>
          <tr>
            <th>Description</th>
            <td>{draft.description.trim() || '—'}</td>
          </tr>
          <tr>
            <th>Event group</th>
            <td data-review="events">
              {group}: {draft.events.join(', ')}
            </td>
          </tr>
          <tr>
            <th>Method</th>
            <td>POST</td>
          </tr>
          <tr>
            <th>URL</th>
            <td>
              <code>{draft.url.trim()}</code>
            </td>
          </tr>
          <tr>
            <th>Credential set</th>
            <td>{draft.auth || '<None>'}</td>
          </tr>
          <tr>
            <th>Headers</th>
            <td data-review="headers">
              {headers.length === 0
                ? '—'
                : headers.map((h, i) => (
                    <div key={i}>
                      <code>{h.key.trim()}</code>:{' '}
                      {h.secret ? <em>{/^\*{4}/.test(h.value) ? h.value : 'secret (stored encrypted)'}</em> : <code>{h.value.trim()}</code>}
                    </div>
                  ))}
            </td>
          </tr>
          <tr>
            <th>Body</th>
            <td>{draft.body.trim() === '' ? 'The canonical event and its enrichment' : <pre class="code">{draft.body}</pre>}</td>
          </tr>
        </tbody>
      </table>
      <details>
        <summary>The request to the management API</summary>
        <pre class="code" data-review="request">
          {JSON.stringify(
            {
              ...body,
              headers: (body.headers as { key: string; value: string; secret?: boolean }[]).map((h) =>
                h.secret ? { ...h, value: '(secret)' } : h,
              ),
            },
            null,
            2,
          )}
        </pre>
      </details>
      {broken.length > 0 ? (
        <div class="form-error" role="alert">
          <strong>Fix these before submitting:</strong>
          <ul>
            {broken.map(([field, messages]) => (
              <li key={field}>
                <code>{field}</code>: {messages.join('; ')}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
