/**
 * Text helpers every report format shares: escaping for HTML/XML, and numbers, durations and
 * shares written the same way in HTML, Markdown, JUnit and the terminal.
 */

import { formatDecimal, formatDuration, formatPercent } from '../words/format.js';

const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Characters XML 1.0 forbids anywhere (controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF). */
// eslint-disable-next-line no-control-regex
const illegalXmlChars = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Escapes text for HTML/XML element content and quoted attribute values; drops characters XML cannot hold. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(illegalXmlChars, '')
    .replace(/[&<>"']/g, (char) => htmlEntities[char] ?? char);
}

const xmlEntities: Record<string, string> = { ...htmlEntities, "'": '&apos;' };

/** Escapes text for XML element content and quoted attribute values, with XML's own five entities; drops characters XML 1.0 cannot hold. */
export function escapeXml(value: unknown): string {
  return String(value ?? '')
    .replace(illegalXmlChars, '')
    .replace(/[&<>"']/g, (char) => xmlEntities[char] ?? char);
}

const isNumber = (value: number | null | undefined): value is number => typeof value === 'number' && Number.isFinite(value);

/** A number with at most `digits` decimals and no trailing zeros: 3, 3.5, 0.042 (no "-0", no float noise). */
export const formatNumber = formatDecimal;

/** An integer with thousands separators: 12,345. */
export function formatCount(value: number | null | undefined): string {
  if (!isNumber(value)) return '—';
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A duration: 0.4 ms, 4.2 ms, 290 ms, 12.3 s, 2 min 05 s, 3 h 04 min (shared/words, as the app writes it). */
export const formatMs = formatDuration;

/** A time since the run started, to the millisecond: 3.004 s. */
export function formatAt(ms: number | null | undefined): string {
  if (!isNumber(ms)) return '—';
  return `${(ms / 1_000).toFixed(3)} s`;
}

/** A share 0..1 as a percentage: 1.3 %, 0.05 %, 0 %, never "1.8e-15 %" (shared/words). */
export { formatPercent };

/** Epoch ms as UTC ISO 8601 without milliseconds: 2025-03-01T10:00:00Z. */
export function formatDate(epochMs: number): string {
  if (!isNumber(epochMs)) return '—';
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A JSON value on one line, for attribute and detail cells. */
export function formatJson(value: unknown): string {
  if (value === undefined) return '';
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}

/** A value with its unit, for expectations and hypothesis bounds. */
export function formatValue(value: number | null | undefined, unit: 'ms' | 'count' | 'ratio'): string {
  if (unit === 'ms') return formatMs(value);
  if (unit === 'ratio') return formatPercent(value);
  return formatCount(value);
}

/** The mean and the max of the finite numbers among `values`; nulls when there are none. */
export function meanMax(values: ReadonlyArray<number | null | undefined>): { mean: number | null; max: number | null } {
  const finite = values.filter(isNumber);
  if (finite.length === 0) return { mean: null, max: null };
  return { mean: finite.reduce((sum, value) => sum + value, 0) / finite.length, max: Math.max(...finite) };
}
