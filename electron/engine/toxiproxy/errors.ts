// Toxiproxy's error body, {"error": message, "status": code}, as every endpoint answers a refusal.
import { ContractError, httpStatusFor } from '../../../shared/contract/errors.js';

export class ToxiproxyError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** More fields for the body (populate answers with the proxies it made before it failed). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ToxiproxyError';
  }

  body(): Record<string, unknown> {
    return { error: this.message, status: this.status, ...this.extra };
  }
}

// Toxiproxy's own messages (api.go), so clients that match on them keep working.
export const proxyNotFound = (): ToxiproxyError => new ToxiproxyError(404, 'proxy not found');
export const proxyExists = (): ToxiproxyError => new ToxiproxyError(409, 'proxy already exists');
export const toxicNotFound = (): ToxiproxyError => new ToxiproxyError(404, 'toxic not found');
export const toxicExists = (): ToxiproxyError => new ToxiproxyError(409, 'toxic already exists');
export const invalidStream = (): ToxiproxyError => new ToxiproxyError(400, 'stream was invalid, can be either upstream or downstream');
export const badBody = (why: string): ToxiproxyError => new ToxiproxyError(400, `bad request body: ${why}`);
export const missingField = (field: string): ToxiproxyError => new ToxiproxyError(400, `missing required field: ${field}`);

/** Anything the lab refused (a ContractError) in Toxiproxy's shape, with the status the contract gives it. */
export function asToxiproxyError(error: unknown): ToxiproxyError {
  if (error instanceof ToxiproxyError) return error;
  if (error instanceof ContractError) return new ToxiproxyError(httpStatusFor(error.code), error.message);
  return new ToxiproxyError(500, error instanceof Error ? error.message : String(error));
}
