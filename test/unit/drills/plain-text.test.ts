import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { escapeControls, stripControls } from '../../../shared/drill/plain-text';
import { ProgressView } from '../../../electron/cli/progress';
import type { DrillSpec } from '../../../shared/drill/schema';

describe('drill text on a terminal', () => {
  it('strips escape sequences, C0 but newline and tab, DEL, C1 and bidi controls', () => {
    expect(stripControls('a\u001b]0;pwned\u0007b')).toBe('ab');
    expect(stripControls('x\u001b[2Jy\u001b[31mred\u001b[0m')).toBe('xyred');
    expect(stripControls('osc \u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\')).toBe('osc link');
    expect(stripControls('c1 \u009b2J z \u009d0;t\u009c!')).toBe('c1  z !');
    expect(stripControls('tab\there\nnext\rcr\u0000\u007f\u0085')).toBe('tab\there\nnextcr');
    expect(stripControls('bidi \u202eevil\u202c \u2067iso\u2069')).toBe('bidi evil iso');
    expect(stripControls('unterminated \u001b]0;title\nnext line')).toBe('unterminated \nnext line');
    expect(stripControls('plain é 日本 🎉')).toBe('plain é 日本 🎉');
  });

  it('escapes them for an error message, visibly', () => {
    expect(escapeControls('k\u001b[2J\n\u202e')).toBe('k\\x1b[2J\\x0a\\u202e');
  });

  it('the progress view prints a drill title and narration without their escapes', () => {
    let out = '';
    const sink = new Writable({ write: (chunk, _enc, done) => ((out += String(chunk)), done()) });
    const spec = { id: 'x', title: 'T \u001b]0;pwned\u0007', concept: 'retries', steps: [] } as unknown as DrillSpec;
    const view = new ProgressView(sink, spec, { tty: false, quiet: false });
    view.update({
      steps: [{ index: 0, kind: 'say', label: 'say', status: 'done', startedAtMs: 0, endedAtMs: 1, text: 'hello \u001b[2J world', performedBy: null, faultId: null, error: null }],
      expectations: [],
    } as never);
    expect(out).toBe('T  (x, retries)\n  │ hello  world\n');
  });
});
