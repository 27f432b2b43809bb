// Structured event log: one JSON line per notable step on stdout, never one per request.

export type LogFields = Record<string, unknown>;

export class EventLog {
  constructor(private nodeId: string) {}

  setNodeId(nodeId: string): void {
    this.nodeId = nodeId;
  }

  emit(event: string, fields: LogFields = {}): void {
    const line = JSON.stringify({ ts: Date.now(), node: this.nodeId, event, ...fields });
    // Pipes and files are written synchronously on Linux, so a line is never lost at exit.
    process.stdout.write(line + '\n');
  }
}

/** The message of anything thrown, for a log field. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
