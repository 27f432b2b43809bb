import type { FieldSpec, FieldValues } from './schema-fields.js';
import { SchemaField } from './schema-field.js';

type Props = {
  legend?: string;
  fields: FieldSpec[];
  values: FieldValues;
  onChange: (name: string, value: string | boolean) => void;
  hints?: Record<string, string>;
  errors?: Record<string, string>;
  /** Each field's test id is `${testIdPrefix}-${name}`. */
  testIdPrefix: string;
};

/** A group of generated fields, laid out on a grid. */
export function SchemaFieldset({ legend, fields, values, onChange, hints = {}, errors = {}, testIdPrefix }: Props) {
  const body = (
    <div className="field-grid">
      {fields.map((field) => (
        <SchemaField
          key={field.name}
          field={field}
          value={values[field.name]}
          hint={hints[field.name] ?? (field.name.endsWith('Ms') ? 'ms' : undefined)}
          error={errors[field.name]}
          testId={`${testIdPrefix}-${field.name}`}
          onChange={(value) => onChange(field.name, value)}
        />
      ))}
    </div>
  );
  if (!legend) return body;
  return (
    <fieldset className="fieldset">
      <legend>{legend}</legend>
      {body}
    </fieldset>
  );
}
