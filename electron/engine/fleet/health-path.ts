// A node's health path as an HTTP request can carry it. The path comes from a fleet file (anyone's
// text): a control character, a space or a lone surrogate makes Node's and undici's request
// builders throw, and a throw from a probe's timer would end the engine. Decided once, here.

/** Longer request lines are refused by most servers (Node answers 431, python 414). */
export const MAX_HEALTH_PATH_LENGTH = 2048;

export type RequestPath = { ok: true; path: string } | { ok: false; reason: string };

/**
 * The path to send, or why it cannot be sent. Spaces and non-ASCII characters are percent-encoded
 * (UTF-8), as a browser would; control characters are refused, since no encoding of them is
 * what the author meant.
 */
export function requestPath(path: string): RequestPath {
  if (typeof path !== 'string' || !path.startsWith('/')) return { ok: false, reason: 'it must start with "/"' };
  if (path.length > MAX_HEALTH_PATH_LENGTH) return { ok: false, reason: `it is ${path.length} characters long (at most ${MAX_HEALTH_PATH_LENGTH})` };
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const control = /[\u0000-\u001f\u007f-\u009f]/.exec(path);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return { ok: false, reason: `it contains the control character U+${code} at index ${control.index}` };
  }
  try {
    return { ok: true, path: path.replace(/[^\x21-\x7e]+/gu, (run) => encodeURIComponent(run)) };
  } catch {
    return { ok: false, reason: 'it is not valid Unicode (a lone surrogate)' };
  }
}

/** The path quoted for a message: escapes shown, never sent raw to a terminal, and kept short. */
export function quotePath(path: string): string {
  const quoted = JSON.stringify(path).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return quoted.length > 80 ? `${quoted.slice(0, 76)}..."` : quoted;
}
