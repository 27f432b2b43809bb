// Text from a file someone else wrote, made safe to show on a terminal: a drill's narration must
// not be able to clear the screen, set the window title or reorder what is shown after it.

/**
 * Escape sequences: CSI (ESC [ or 0x9b, then parameters and a final byte); OSC, DCS, SOS, PM and APC
 * strings (ESC ] P X ^ _ or their C1 forms, up to BEL, ST or the end of the line); two-byte ESC X.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ESCAPES = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u001b\u009c\n]*(?:\u0007|\u001b\\|\u009c)?|\u001b[ -/]*[0-~]?/g;
/** C0 controls but tab and newline, DEL, C1 controls, and the bidi embeddings, overrides and isolates. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Drops escape sequences and control characters; keeps newlines and tabs. For narration and labels. */
export function stripControls(text: string): string {
  return text.replace(ESCAPES, '').replace(CONTROLS, '');
}

/** Shows control characters as `\xNN` / `\uNNNN` instead of sending them. For error messages that quote a file. */
export function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
