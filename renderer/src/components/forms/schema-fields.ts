import { z } from 'zod';

/** One form field, read off a zod object schema: the contract's own types, bounds and defaults. */
export type FieldSpec = {
  name: string;
  kind: 'number' | 'integer' | 'boolean' | 'enum' | 'text';
  options?: readonly string[];
  min?: number;
  max?: number;
  defaultValue?: unknown;
  /** No default and not required: left empty, it is not sent. */
  optional: boolean;
};

/** What a form holds while it is edited: numbers as the text typed, so "0." survives a keystroke. */
export type FieldValues = Record<string, string | boolean>;

const BIG = Number.MAX_SAFE_INTEGER / 2;

/** The fields of an object schema, in its order; fields a form cannot edit (records, unions) are left out. */
export function fieldsOf(schema: z.ZodObject): FieldSpec[] {
  const fields: FieldSpec[] = [];
  for (const [name, raw] of Object.entries(schema.shape)) {
    let inner = raw as z.ZodType;
    let defaultValue: unknown;
    let optional = false;
    if (inner instanceof z.ZodDefault) {
      defaultValue = inner.def.defaultValue;
      inner = inner.unwrap() as z.ZodType;
    }
    if (inner instanceof z.ZodOptional) {
      optional = true;
      inner = inner.unwrap() as z.ZodType;
    }
    const base = { name, defaultValue, optional: optional && defaultValue === undefined };
    if (inner instanceof z.ZodNumber) {
      fields.push({ ...base, kind: inner.isInt ? 'integer' : 'number', ...bound('min', inner.minValue), ...bound('max', inner.maxValue) });
    } else if (inner instanceof z.ZodBoolean) {
      fields.push({ ...base, kind: 'boolean' });
    } else if (inner instanceof z.ZodEnum) {
      fields.push({ ...base, kind: 'enum', options: inner.options.map(String) });
    } else if (inner instanceof z.ZodString) {
      fields.push({ ...base, kind: 'text' });
    }
  }
  return fields;
}

function bound(key: 'min' | 'max', value: number | null): { min?: number; max?: number } {
  return value === null || Math.abs(value) >= BIG ? {} : { [key]: value };
}

/** Form values from current settings (or the defaults where a setting is missing). */
export function valuesFrom(fields: FieldSpec[], current: Record<string, unknown> = {}): FieldValues {
  const values: FieldValues = {};
  for (const field of fields) {
    const value = current[field.name] ?? field.defaultValue;
    values[field.name] = field.kind === 'boolean' ? value === true : value === undefined || value === null ? '' : String(value);
  }
  return values;
}

/** The object to validate and send: numbers parsed, empty optional fields left out. */
export function objectFrom(fields: FieldSpec[], values: FieldValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (value === undefined) continue;
    if (field.kind === 'boolean') out[field.name] = value === true;
    else if (typeof value === 'string' && value.trim() === '') continue;
    else if (field.kind === 'number' || field.kind === 'integer') out[field.name] = Number(value);
    else out[field.name] = value;
  }
  return out;
}

/** Only what differs from `current`: a patch names what it changes and nothing else. */
export function changedFrom(next: Record<string, unknown>, current: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) if (current[key] !== value) out[key] = value;
  return out;
}

/** `perTryTimeoutMs` -> `per try timeout`, `average_size` -> `average size`. */
export function labelOf(name: string): string {
  return name
    .replace(/Ms$/, '')
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

/** Zod issues by field name (the first path segment, unless `fieldOf` says otherwise), to show next to their fields. */
export function issuesByField(error: z.ZodError, fieldOf: (path: PropertyKey[]) => PropertyKey | undefined = (path) => path[0]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) out[String(fieldOf(issue.path) ?? '')] ??= issue.message;
  return out;
}
