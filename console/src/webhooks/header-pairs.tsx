/**
 * Header key/value pairs: one row each, added and removed freely; a blank row is not sent.
 * Keys and values are trimmed when saved; errors show on the key or value they concern.
 */
import { TextField } from '../components/field';
import { emptyHeader, type HeaderRow } from './draft';
import type { FieldErrors } from './field-errors';

export interface HeaderPairsProps {
  rows: HeaderRow[];
  errors: FieldErrors;
  onChange: (rows: HeaderRow[], touched: string[]) => void;
}

export function HeaderPairs({ rows, errors, onChange }: HeaderPairsProps) {
  const set = (i: number, change: Partial<HeaderRow>, field: string) =>
    onChange(
      rows.map((r, j) => (j === i ? { ...r, ...change } : r)),
      [`headers.${i}.${field}`],
    );
  const error = (i: number, field: string) => errors[`headers.${i}.${field}`];
  return (
    <div class="header-pairs" role="group" aria-label="Headers">
      <p class="field-hint">
        Keys: header names, no duplicates (any case). Values: visible ASCII and spaces; may hold placeholders such as {'{{ event.name }}'}{' '}
        unless secret. Both trimmed when saved.
      </p>
      {errors.headers ? <p class="field-error">{errors.headers.join('; ')}</p> : null}
      {rows.map((row, i) => (
        <div class="header-row" key={i} data-header-row={i}>
          <TextField
            id={`header-${i}-key`}
            label="Key"
            value={row.key}
            onInput={(v) => set(i, { key: v }, 'key')}
            error={error(i, 'key')}
          />
          <TextField
            id={`header-${i}-value`}
            label="Value"
            type={row.secret ? 'password' : 'text'}
            value={row.value}
            onInput={(v) => set(i, { value: v }, 'value')}
            error={error(i, 'value')}
          />
          <label class="inline">
            <input type="checkbox" checked={row.secret} onChange={(e) => set(i, { secret: e.currentTarget.checked }, 'secret')} /> Secret
          </label>
          <button
            type="button"
            aria-label={`Remove header ${i + 1}`}
            onClick={() =>
              onChange(
                rows.filter((_, j) => j !== i),
                ['headers'],
              )
            }
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...rows, emptyHeader()], [])} data-action="add-header">
        Add header
      </button>
    </div>
  );
}
