/**
 * Pieces of a screen that lists what the API holds and offers a form to create one more (the
 * credential sets, the sources): settings shown as the API shows them, the "none yet" row, and
 * a fresh form after each creation.
 */
import { useState } from 'preact/hooks';

/** One `key: value` line a setting, the value as the API sent it (secrets arrive redacted). */
export function SettingLines({ entries }: { entries: readonly [string, unknown][] }) {
  return (
    <>
      {entries.map(([k, v]) => (
        <div key={k}>
          {k}: <code>{typeof v === 'string' ? v : JSON.stringify(v)}</code>
        </div>
      ))}
    </>
  );
}

/** The table's last row when the list has loaded and is empty. */
export function EmptyRow({ show, columns, text }: { show: boolean; columns: number; text: string }) {
  return show ? (
    <tr>
      <td colSpan={columns} class="muted">
        {text}
      </td>
    </tr>
  ) : null;
}

/**
 * The create form's key and what to do once it created: a new, empty form after each creation
 * (not on every load: a list arriving late must not wipe what is being typed), and the list reloaded.
 */
export function useFreshForm(reload: () => void): { key: number; created: () => void } {
  const [key, setKey] = useState(0);
  return {
    key,
    created: () => {
      setKey((n) => n + 1);
      reload();
    },
  };
}
