import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command-line mistake: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;
type ParsedFlags<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>>;

export function parseFlags<O extends Options>(argv: string[], options: O, command: string): ParsedFlags<O> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (error) {
    // node:util's messages are long and mention "ParseArgs"; keep the part that names the flag.
    const message = (error as Error).message.split('. ')[0]?.replace(/^Unknown option/, 'unknown flag') ?? 'bad arguments';
    throw new UsageError(`firedrill ${command}: ${message}`);
  }
}

export function parsePort(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new UsageError(`${flag}: "${value}" is not a port number (0-65535)`);
  return port;
}
