// One reader for the lab's YAML files (drill files, fleet files): bytes -> YAML -> plain values ->
// a zod schema, with every mistake reported at once as `FILE:LINE:COL: field.path: message`.
// Files come from anyone (a shared drill, the operator's drill folder), so nothing in one may stall
// or crash the engine: the size is capped before reading, nesting before composing (a deep stack
// overflow in the yaml library can later take V8 down with it), alias expansion before converting,
// and every step is linear in the size of the file.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { Composer, isAlias, isMap, isPair, isScalar, isSeq, Lexer, LineCounter, Parser, type CST, type Document, type Node as YamlNode, type Pair } from 'yaml';
import type { z } from 'zod';
import { ContractError, fieldPath } from '../../shared/contract/errors.js';
import { escapeControls } from '../../shared/drill/plain-text.js';

/** A drill or fleet file is a page or two of YAML; the largest built-in drill is ~5 KB. */
export const MAX_YAML_FILE_BYTES = 256 * 1024;
/** Collections inside collections; a drill needs about eight. */
export const MAX_YAML_DEPTH = 64;
/** Values after aliases are expanded (a "billion laughs" file expands to billions). */
export const MAX_YAML_VALUES = 100_000;
/** Mistakes listed; past this, one more line says how many were left out. */
export const MAX_LISTED_ISSUES = 100;

type Issue = z.core.$ZodIssue;
type Path = Array<string | number>;

/** One mistake, positioned: `message` is the whole line, `FILE:LINE:COL: field: what`. */
export interface FileIssue {
  field: string;
  message: string;
  line: number;
  column: number;
  /** On the last line only, when mistakes were left out: how many. */
  omitted?: number;
}

/** Reads `file` (a `what`, e.g. "drill file") and checks it against `schema`; throws a ContractError listing every mistake. */
export function readYamlFile<S extends z.ZodType>(file: string, schema: S, what: string): z.output<S> {
  return parseYamlText(decodeText(readCapped(file, what), file), file, schema);
}

/** Parses YAML text; `fileName` only names the source in messages. */
export function parseYamlText<S extends z.ZodType>(text: string, fileName: string, schema: S): z.output<S> {
  const lines = new LineCounter();
  const issues = new IssueList(fileName, (offset) => {
    const { line, col } = lines.linePos(offset);
    // Line 0: an empty file (no line was ever started).
    return line === 0 ? { line: 1, column: offset + 1 } : { line, column: col };
  });
  const tokens = tokensOf(text, lines, issues);
  const deep = tooDeepAt(tokens);
  if (deep !== null) throw issues.add(deep, '(yaml)', `nested more than ${MAX_YAML_DEPTH} levels deep`).error();

  const doc = composeOne(tokens, text.length, issues);
  if (issues.size > 0) throw issues.error();
  const tree = walk(doc.contents, issues);
  if (tree.fatal) throw issues.error();

  const parsed = schema.safeParse(toPlain(doc.contents, tree.targets));
  if (parsed.success && issues.size === 0) return parsed.data as z.output<S>;
  if (!parsed.success) {
    const index = new PathIndex(doc.contents, tree.targets);
    for (const issue of parsed.error.issues) {
      for (const one of explain(issue as Issue, [])) {
        const path = one.keyName === undefined ? one.path : [...one.path, one.keyName];
        issues.add(index.offsetOf(one.path, one.keyName), fieldPath(path), one.message);
      }
    }
  }
  throw issues.error();
}

/** Every line of a file's error (one per mistake); any other error is its message. */
export function issueLines(error: unknown): string[] {
  if (error instanceof ContractError && error.issues && error.issues.length > 0 && error.issues.every((i) => 'line' in i)) {
    return error.issues.map((issue) => issue.message);
  }
  return [error instanceof Error ? error.message : String(error)];
}

/** How many mistakes a file's error stands for, those left out of its lines included. */
export function issueCount(error: unknown): number {
  const issues = error instanceof ContractError ? ((error.issues ?? []) as Array<Partial<FileIssue>>) : [];
  if (issues.length === 0) return 1;
  return issues.reduce((sum, issue) => sum + (issue.omitted ?? 1), 0);
}

// ---- Bytes -------------------------------------------------------------------------------

/** The file's bytes, refused by its size before any is read; never waits on a FIFO or a device. */
function readCapped(file: string, what: string): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw new ContractError({ code: 'not-found', message: `${file}: cannot read: ${(error as Error).message}` });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new ContractError({ code: 'invalid-params', message: `${file}: not a regular file`, field: '(file)' });
    const tooLarge = (size: number): ContractError =>
      fileError(file, 1, 1, '(file)', `${formatBytes(size)} is too large for a ${what} (at most ${formatBytes(MAX_YAML_FILE_BYTES)}); not read`);
    if (stat.size > MAX_YAML_FILE_BYTES) throw tooLarge(stat.size);
    // The file may grow between the stat and the read: read at most one byte past the limit.
    const buffer = Buffer.alloc(MAX_YAML_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > MAX_YAML_FILE_BYTES) throw tooLarge(length);
    }
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof ContractError) throw error;
    throw new ContractError({ code: 'not-found', message: `${file}: cannot read: ${(error as Error).message}` });
  } finally {
    closeSync(fd);
  }
}

/** UTF-8 text, or a positioned error for UTF-16, a NUL byte (binary) or invalid UTF-8. */
function decodeText(bytes: Buffer, file: string): string {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw fileError(file, 1, 1, '(file)', 'UTF-16 text: save the file as UTF-8');
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw fileErrorAtByte(bytes, nul, file, 'a NUL byte: this is a binary file, not YAML text');
  if (!isUtf8(bytes)) {
    const bad = firstInvalidUtf8(bytes);
    throw fileErrorAtByte(bytes, bad, file, `not UTF-8 text (byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')})`);
  }
  return bytes.toString('utf8');
}

function fileErrorAtByte(bytes: Buffer, offset: number, file: string, message: string): ContractError {
  const lineStart = bytes.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < offset; i = bytes.indexOf(0x0a, i + 1)) line++;
  const column = bytes.subarray(lineStart, offset).toString('utf8').length + 1;
  return fileError(file, line, column, '(file)', message);
}

/** The offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    if (need > 0 && !isUtf8(bytes.subarray(i, i + need + 1))) return i;
    i += need + 1;
  }
  return Math.max(0, bytes.length - 1);
}

function fileError(file: string, line: number, column: number, field: string, message: string): ContractError {
  const text = `${file}:${line}:${column}: ${field}: ${message}`;
  return new ContractError({ code: 'invalid-params', message: text, field, issues: [{ field, message: text, line, column } as FileIssue] });
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}

// ---- Mistakes ----------------------------------------------------------------------------

class IssueList {
  private readonly items: Array<{ offset: number; order: number; field: string; message: string }> = [];

  constructor(
    private readonly fileName: string,
    private readonly position: (offset: number) => { line: number; column: number },
  ) {}

  get size(): number {
    return this.items.length;
  }

  lineOf(offset: number): number {
    return this.position(offset).line;
  }

  add(offset: number, field: string, message: string): this {
    this.items.push({ offset, order: this.items.length, field, message });
    return this;
  }

  /** Sorted by line then column (zod's order within one place), one line per mistake and place, the first hundred listed. */
  error(): ContractError {
    this.items.sort((a, b) => a.offset - b.offset || a.order - b.order);
    const issues: FileIssue[] = [];
    const seen = new Set<string>();
    let omitted = 0;
    let next: { line: number; column: number } | null = null;
    for (const item of this.items) {
      // The same place and mistake reached twice (an anchored value used twice) is one mistake.
      const place = `${item.offset}:${item.message}`;
      if (seen.has(place)) continue;
      seen.add(place);
      // Only listed lines are positioned and formatted: a file may have thousands of mistakes.
      if (issues.length === MAX_LISTED_ISSUES) {
        next ??= this.position(item.offset);
        omitted++;
        continue;
      }
      const { line, column } = this.position(item.offset);
      const field = shown(item.field);
      issues.push({ field, message: `${this.fileName}:${line}:${column}: ${field}: ${shown(item.message)}`, line, column });
    }
    if (next && omitted > 0) {
      const message = `${this.fileName}:${next.line}:${next.column}: (more): ${omitted.toLocaleString('en-US')} more mistakes not shown`;
      issues.push({ field: '(more)', message, line: next.line, column: next.column, omitted });
    }
    const first = issues[0] ?? { field: '(root)', message: `${this.fileName}:1:1: (root): invalid` };
    return new ContractError({ code: 'invalid-params', message: first.message, field: first.field, issues });
  }
}

/** What a file says, quoted in a message: control characters escaped, and never a whole page. */
function shown(text: string): string {
  const escaped = escapeControls(text);
  return escaped.length > 300 ? `${escaped.slice(0, 300)}…` : escaped;
}

/** One zod issue as the mistakes it stands for: one per unknown key; a union explained by its likeliest branch. */
function explain(issue: Issue, prefix: Path): Array<{ path: Path; message: string; keyName?: string }> {
  const path = [...prefix, ...(issue.path as Path)];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const merged = mergeScalarBranches(issue.errors as Issue[][]) ?? mergeDiscriminators(issue.errors as Issue[][]);
    if (merged) return [{ path: [...path, ...merged.path], message: merged.message }];
    return likeliestBranch(issue.errors as Issue[][]).flatMap((inner) => explain(inner, path));
  }
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
    // The message lists every key; each line names its own (split once: a map may have thousands).
    const listed = `"${issue.keys.join('", "')}"`;
    const at = issue.message.indexOf(listed);
    const before = at < 0 ? 'Unrecognized key: ' : issue.message.slice(0, at).replace(/^Unrecognized keys:/, 'Unrecognized key:');
    const after = at < 0 ? '' : issue.message.slice(at + listed.length);
    return issue.keys.map((key) => ({ path, keyName: key, message: `${before}"${key}"${after}` }));
  }
  if (issue.code === 'invalid_key' && path.length > 0) {
    // A record's key: point at the key itself, with what is wrong with it.
    return [{ path: path.slice(0, -1), keyName: String(path[path.length - 1]), message: issue.issues[0]?.message ?? issue.message }];
  }
  return [{ path, message: issue.message }];
}

/** Every branch failed at one spot with one literal or type mismatch: say what any of them would take. */
function mergeScalarBranches(branches: Issue[][]): { path: Path; message: string } | null {
  const first = branches[0]?.[0];
  if (!first) return null;
  const key = JSON.stringify(first.path);
  const expected: string[] = [];
  for (const branch of branches) {
    const only = branch.length === 1 ? branch[0] : undefined;
    if (!only || JSON.stringify(only.path) !== key || (only.code !== 'invalid_value' && only.code !== 'invalid_type')) return null;
    expected.push(only.code === 'invalid_value' ? only.values.map((v) => JSON.stringify(v)).join(' or ') : only.expected);
  }
  return { path: first.path as Path, message: `Invalid input: expected ${[...new Set(expected)].join(' or ')}` };
}

/** Every branch wants another literal at the same key (`kind: nope`): name them all rather than pick one. */
function mergeDiscriminators(branches: Issue[][]): { path: Path; message: string } | null {
  let key: string | null = null;
  const expected: string[] = [];
  for (const branch of branches) {
    const literal = branch.find((i) => i.path.length === 1 && i.code === 'invalid_value');
    if (!literal || literal.code !== 'invalid_value' || (key !== null && key !== String(literal.path[0]))) return null;
    key = String(literal.path[0]);
    expected.push(...literal.values.map((v) => JSON.stringify(v)));
  }
  return key === null ? null : { path: [key], message: `Invalid input: expected ${[...new Set(expected)].join(' or ')}` };
}

/** The branch the author most likely meant: one whose discriminating literal (`kind: command`) matched, then the fewest mistakes. */
function likeliestBranch(branches: Issue[][]): Issue[] {
  const score = (branch: Issue[]): number => branch.length + (branch.some((i) => i.path.length === 1 && i.code === 'invalid_value') ? 1_000 : 0);
  return branches.reduce((best, branch) => (score(branch) < score(best) ? branch : best));
}

// ---- YAML --------------------------------------------------------------------------------

/**
 * The parser's tokens, fed one lexeme at a time so that flow nesting (`[[[[…`, cheap to write, costly
 * to parse) is refused at the first bracket past the limit, before the rest is parsed.
 */
function tokensOf(text: string, lines: LineCounter, issues: IssueList): CST.Token[] {
  const parser = new Parser(lines.addNewLine);
  lines.addNewLine(0);
  const tokens: CST.Token[] = [];
  let flow = 0;
  for (const lexeme of new Lexer().lex(text)) {
    if (lexeme === '[' || lexeme === '{') {
      if (++flow > MAX_YAML_DEPTH) throw issues.add(parser.offset, '(yaml)', `nested more than ${MAX_YAML_DEPTH} levels deep`).error();
    } else if ((lexeme === ']' || lexeme === '}') && flow > 0) {
      flow--;
    }
    for (const token of parser.next(lexeme)) tokens.push(token);
  }
  for (const token of parser.end()) tokens.push(token);
  return tokens;
}

/** Offset of the first collection nested deeper than the limit, from the parser's tokens (no recursion). */
function tooDeepAt(tokens: CST.Token[]): number | null {
  const stack: Array<[CST.Token, number]> = tokens.map((t) => [t, 0]);
  while (stack.length > 0) {
    const [token, depth] = stack.pop() as [CST.Token, number];
    if (token.type === 'document') {
      if (token.value) stack.push([token.value, depth]);
    } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth >= MAX_YAML_DEPTH) return token.offset;
      for (const item of token.items) {
        if (item.key) stack.push([item.key, depth + 1]);
        if (item.value) stack.push([item.value, depth + 1]);
      }
    }
  }
  return null;
}

/** The one document of the file; syntax errors (all of them) go to `issues`. */
function composeOne(tokens: CST.Token[], length: number, issues: IssueList): Document.Parsed {
  // uniqueKeys off: the library's duplicate check is quadratic in a map's size; `walk` does it in linear time.
  // resolveKnownTags off: `!!binary`, `!!set`, `!!timestamp` stay plain text, never Buffers or Dates.
  const composer = new Composer({ uniqueKeys: false, resolveKnownTags: false, logLevel: 'error' });
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(tokens, true, length)) {
    if (doc) {
      issues.add(next.range[0], '(yaml)', 'one document per file: remove the `---` and what follows it');
      break;
    }
    doc = next;
  }
  const parsed = doc as Document.Parsed;
  for (const error of parsed.errors) issues.add(error.pos[0], '(yaml)', error.message.split('\n')[0] ?? error.message);
  return parsed;
}

type Target = YamlNode;

/**
 * One pass over the document in order: aliases resolved to the anchor before them, keys checked
 * (plain, once per map), then each value's size and depth once aliases are expanded (memoized, so
 * linear). `fatal` when the tree cannot be turned into values at all.
 */
function walk(root: unknown, issues: IssueList): { targets: Map<YamlNode, Target>; fatal: boolean } {
  const targets = new Map<YamlNode, Target>();
  const anchors = new Map<string, YamlNode>();
  const aliases: YamlNode[] = [];
  let fatal = false;
  // Paths as links to the parent's, made into arrays only for a message: most nodes never need one.
  type Link = { parent: Link | null; key: string | number } | null;
  const pathOf = (link: Link): Path => {
    const path: Path = [];
    for (let l = link; l; l = l.parent) path.push(l.key);
    return path.reverse();
  };
  const stack: Array<{ node: unknown; link: Link }> = [{ node: root, link: null }];
  while (stack.length > 0) {
    const { node, link } = stack.pop() as { node: unknown; link: Link };
    if (!node || typeof node !== 'object') continue;
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, node as YamlNode);
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target) {
        targets.set(node, target);
        aliases.push(node);
      } else {
        issues.add(offsetOfNode(node), '(yaml)', `alias *${node.source} has no anchor &${node.source} before it`);
        fatal = true;
      }
    } else if (isMap(node)) {
      const firstAt = new Map<string, number>();
      const children: Array<{ node: unknown; link: Link }> = [];
      for (const pair of node.items) {
        const key = keyOf(pair);
        if (key === null) {
          issues.add(offsetOfNode(pair.key), fieldPath(pathOf(link)), 'a key must be plain text or a number, not a list, a map or an alias');
          children.push({ node: pair.key, link });
        } else if (firstAt.has(key)) {
          const first = issues.lineOf(firstAt.get(key) as number);
          issues.add(offsetOfNode(pair.key), fieldPath([...pathOf(link), key]), `this key is written twice in one map (first at line ${first})`);
        } else {
          firstAt.set(key, offsetOfNode(pair.key));
        }
        // A plain key may still carry an anchor that a later alias names.
        if (key !== null && (pair.key as { anchor?: string } | null)?.anchor) children.push({ node: pair.key, link });
        if (pair.value && typeof pair.value === 'object') children.push({ node: pair.value, link: { parent: link, key: key ?? '?' } });
      }
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as { node: unknown; link: Link });
    } else if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push({ node: node.items[i], link: { parent: link, key: i } });
    }
  }
  if (fatal) return { targets, fatal };
  // Without aliases the file's own size and depth (both checked) bound the values.
  if (aliases.length === 0) return { targets, fatal: false };
  const expansion = expand(root, targets);
  if (expansion.cycle) {
    issues.add(offsetOfNode(expansion.cycle), '(yaml)', `alias *${(expansion.cycle as { source?: string }).source} is inside the node it names`);
    return { targets, fatal: true };
  }
  if (expansion.size(root) > MAX_YAML_VALUES || expansion.depth(root) > MAX_YAML_DEPTH) {
    // Point at the alias that brings the most: in a "billion laughs" file, the last level.
    let worst = aliases[0];
    for (const alias of aliases) if (expansion.size(alias) > expansion.size(worst)) worst = alias;
    const message =
      expansion.size(root) > MAX_YAML_VALUES
        ? `aliases expand this file to more than ${MAX_YAML_VALUES.toLocaleString('en-US')} values (an alias bomb?)`
        : `aliases nest values more than ${MAX_YAML_DEPTH} levels deep`;
    issues.add(offsetOfNode(worst), '(yaml)', message);
    return { targets, fatal: true };
  }
  return { targets, fatal: false };
}

/** Sizes and depths of nodes with aliases expanded, memoized: a post-order walk with its own stack. */
function expand(root: unknown, targets: Map<YamlNode, Target>): { size: (node: unknown) => number; depth: (node: unknown) => number; cycle: YamlNode | null } {
  const size = new Map<unknown, number>();
  const depth = new Map<unknown, number>();
  const open = new Set<unknown>();
  const childrenOf = (node: unknown): unknown[] => {
    if (isAlias(node)) return [targets.get(node)];
    if (isMap(node)) return node.items.flatMap((pair) => [pair.key, pair.value]);
    if (isSeq(node)) return node.items;
    return [];
  };
  const frames: Array<{ node: unknown; children: unknown[]; next: number }> = [];
  const enter = (node: unknown): YamlNode | null => {
    if (!node || typeof node !== 'object' || size.has(node)) return null;
    if (open.has(node)) return node as YamlNode;
    open.add(node);
    frames.push({ node, children: childrenOf(node), next: 0 });
    return null;
  };
  let cycle = enter(root);
  while (frames.length > 0 && cycle === null) {
    const frame = frames[frames.length - 1] as { node: unknown; children: unknown[]; next: number };
    if (frame.next < frame.children.length) {
      const child = frame.children[frame.next++];
      const looped = enter(child);
      // The alias that leads back into an open node is the one to name.
      if (looped) cycle = isAlias(frame.node) ? (frame.node as YamlNode) : looped;
      continue;
    }
    frames.pop();
    open.delete(frame.node);
    const alias = isAlias(frame.node);
    let s = alias ? 0 : 1;
    let d = 0;
    for (const child of frame.children) {
      s += size.get(child) ?? 0;
      d = Math.max(d, depth.get(child) ?? 0);
    }
    size.set(frame.node, Math.min(s, Number.MAX_SAFE_INTEGER));
    depth.set(frame.node, alias ? d : isMap(frame.node) || isSeq(frame.node) ? d + 1 : d);
  }
  return { size: (node) => size.get(node) ?? 0, depth: (node) => depth.get(node) ?? 0, cycle };
}

/** A map key as the plain value's property name, or null when it is a collection or an alias. */
function keyOf(pair: Pair): string | null {
  const key = pair.key;
  if (key === null || key === undefined) return '';
  if (isScalar(key)) return key.value === null || key.value === undefined ? '' : String(key.value);
  return null;
}

function offsetOfNode(node: unknown): number {
  const range = (node as { range?: [number, number, number] | null } | null)?.range;
  return range ? range[0] : 0;
}

/** The document as plain values (objects, arrays, strings, numbers, booleans, null); an alias shares its target's value. */
function toPlain(root: unknown, targets: Map<YamlNode, Target>): unknown {
  const shared = new Map<unknown, unknown>();
  // Depth is bounded by `walk` (MAX_YAML_DEPTH with aliases expanded), so recursion is safe here.
  const plain = (node: unknown): unknown => {
    if (isAlias(node)) {
      const target = targets.get(node);
      if (!shared.has(target)) shared.set(target, plain(target));
      return shared.get(target);
    }
    if (isScalar(node)) return node.value === undefined ? null : node.value;
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const key = keyOf(pair);
        if (key === null) continue;
        // Never a prototype: `__proto__` is an own property like any other key.
        Object.defineProperty(out, key, { value: plain(pair.value), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    if (isSeq(node)) return node.items.map(plain);
    if (isPair(node)) return null;
    return null;
  };
  return plain(root);
}

/** Where a field named by a schema issue sits: each map's keys indexed once, so any number of issues costs linear time. */
class PathIndex {
  private readonly keys = new Map<unknown, Map<string, Pair>>();

  constructor(
    private readonly root: unknown,
    private readonly targets: Map<YamlNode, Target>,
  ) {}

  /**
   * An unknown key's own position; else the value at the path; else (a missing field) the key
   * that holds the nearest ancestor that exists, or that ancestor itself.
   */
  offsetOf(path: Path, keyName?: string): number {
    let node: unknown = this.root;
    let holder: number | null = null;
    for (const segment of path) {
      node = this.deref(node);
      let next: unknown;
      let at: number | null = null;
      if (isMap(node)) {
        const pair = this.pairs(node).get(String(segment));
        if (pair) {
          next = pair.value;
          at = offsetOfNode(pair.key);
        }
      } else if (isSeq(node) && typeof segment === 'number') {
        next = node.items[segment];
        at = next ? offsetOfNode(next) : null;
      }
      if (!next || typeof next !== 'object') return at ?? holder ?? offsetOfNode(node);
      node = next;
      holder = at;
    }
    const target = this.deref(node);
    if (keyName !== undefined && isMap(target)) {
      const pair = this.pairs(target).get(keyName);
      if (pair) return offsetOfNode(pair.key);
    }
    return offsetOfNode(node);
  }

  private deref(node: unknown): unknown {
    return isAlias(node) ? this.targets.get(node) : node;
  }

  private pairs(map: { items: Pair[] }): Map<string, Pair> {
    let index = this.keys.get(map);
    if (!index) {
      index = new Map();
      // The last of a duplicated key wins, as in the plain value the schema saw.
      for (const pair of map.items) {
        const key = keyOf(pair);
        if (key !== null) index.set(key, pair);
      }
      this.keys.set(map, index);
    }
    return index;
  }
}
