import { z } from 'zod';

export const ErrorCode = z.enum([
  'invalid-envelope',
  'invalid-params',
  'unknown-command',
  'unknown-event',
  'not-found',
  'conflict',
  'closed',
  'unauthorized',
  'forbidden',
  /** A per-connection limit (subscriptions, requests in flight, connections, a client too far behind). */
  'limit-exceeded',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ContractErrorBody = z.object({
  code: ErrorCode,
  message: z.string(),
  /** The dotted path of the first offending field, e.g. `fleet.nodes.1.id`. */
  field: z.string().optional(),
  issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
export type ContractErrorBody = z.infer<typeof ContractErrorBody>;

/** An error that crosses the contract: typed, with the field it is about. */
export class ContractError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly issues: ContractErrorBody['issues'];

  constructor(body: ContractErrorBody) {
    super(body.message);
    this.name = 'ContractError';
    this.code = body.code;
    this.field = body.field;
    this.issues = body.issues;
  }

  toBody(): ContractErrorBody {
    const body: ContractErrorBody = { code: this.code, message: this.message };
    if (this.field !== undefined) body.field = this.field;
    if (this.issues !== undefined) body.issues = this.issues;
    return body;
  }
}

export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => String(p)).join('.') || '(root)';
}

/** Turns a schema failure into an error naming the first bad field (prefixed, e.g. `params`). */
export function fromZodError(error: z.ZodError, code: ErrorCode, prefix?: string): ContractError {
  const issues = error.issues.map((issue) => {
    const field = fieldPath(prefix ? [prefix, ...issue.path] : issue.path);
    return { field, message: issue.message };
  });
  const first = issues[0] ?? { field: prefix ?? '(root)', message: 'invalid' };
  return new ContractError({ code, message: `${first.field}: ${first.message}`, field: first.field, issues });
}

/** `input` parsed with `schema`, or a ContractError (`code`) naming the first bad field, prefixed as fromZodError does. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, code: ErrorCode, prefix?: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw fromZodError(parsed.error, code, prefix);
  return parsed.data;
}

export function toErrorBody(error: unknown): ContractErrorBody {
  if (error instanceof ContractError) return error.toBody();
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message };
}

export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case 'invalid-envelope':
    case 'invalid-params':
      return 400;
    case 'unknown-command':
    case 'unknown-event':
    case 'not-found':
      return 404;
    case 'conflict':
      return 409;
    case 'unauthorized':
      return 401;
    case 'forbidden':
      return 403;
    case 'limit-exceeded':
      return 429;
    case 'closed':
      return 503;
    case 'internal':
      return 500;
  }
}
