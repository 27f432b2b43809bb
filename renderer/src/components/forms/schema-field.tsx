import { labelOf, type FieldSpec } from './schema-fields.js';

type Props = {
  field: FieldSpec;
  value: string | boolean | undefined;
  onChange: (value: string | boolean) => void;
  /** Unit or a short hint shown after the label (ms, KB/s, 0–1, …). */
  hint?: string | undefined;
  error?: string | undefined;
  testId: string;
};

/** One generated field: a number box with the contract's bounds, a checkbox, or a choice. */
export function SchemaField({ field, value, onChange, hint, error, testId }: Props) {
  const id = `field-${testId}`;
  const label = (
    <span className="field-label">
      {labelOf(field.name)}
      {hint ? <span className="muted small"> ({hint})</span> : null}
    </span>
  );
  if (field.kind === 'boolean') {
    return (
      <label className="field field-check" htmlFor={id}>
        <input id={id} type="checkbox" data-testid={testId} checked={value === true} onChange={(e) => onChange(e.currentTarget.checked)} />
        {label}
      </label>
    );
  }
  const text = typeof value === 'string' ? value : '';
  return (
    <label className={`field${error ? ' field-invalid' : ''}`} htmlFor={id}>
      {label}
      {field.kind === 'enum' ? (
        <select id={id} data-testid={testId} value={text} onChange={(e) => onChange(e.currentTarget.value)}>
          {field.options?.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          data-testid={testId}
          type={field.kind === 'text' ? 'text' : 'number'}
          inputMode={field.kind === 'text' ? 'text' : 'decimal'}
          step={field.kind === 'integer' ? 1 : 'any'}
          min={field.min}
          max={field.max}
          placeholder={field.optional ? 'optional' : undefined}
          value={text}
          aria-invalid={error ? true : undefined}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      )}
      {error ? <span className="field-error" role="alert">{error}</span> : null}
    </label>
  );
}
