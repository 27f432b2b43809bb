import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../../shared/report/html';
import { renderMarkdown } from '../../../shared/report/markdown';
import { heldWords, planeRestartWords } from '../../../shared/report/report-facts';
import { makeReport } from '../../support/report-fixture';

const held = { requests: 7, served: 6, expired: 1, maxMs: 1000.4, totalMs: 1061, refusedWrites: 2 };

describe('the failover hold in words (issue 15)', () => {
  it('says how many were held, for how long, what expired and what was refused', () => {
    expect(heldWords(held)).toBe('Held through the failover: 7 requests, up to 1.00 s, 1 past the deadline (503); 2 writes told to retry (503 Retry-After)');
    expect(heldWords({ ...held, expired: 0, refusedWrites: 0, maxMs: 7.04 })).toBe('Held through the failover: 7 requests, up to 7.0 ms');
  });

  it('the HTML and Markdown reports carry it for the incident that held, and say nothing otherwise', () => {
    const base = makeReport();
    const withHold = makeReport({ incidents: base.incidents.map((incident, i) => (i === 0 ? { ...incident, held } : incident)) });
    expect(renderHtml(withHold)).toContain('data-testid="held-0">Held through the failover: 7 requests');
    expect(renderHtml(withHold)).not.toContain('data-testid="held-1"');
    expect(renderMarkdown(withHold)).toContain(`- ${base.incidents[0]!.id} on ${base.incidents[0]!.nodeId}: Held through the failover: 7 requests`);
    expect(renderHtml(base)).not.toContain('Held through the failover');
    expect(renderMarkdown(base)).not.toContain('Held through the failover');
  });

  it("says when the data plane's thread died during an incident, and how long until a new one served", () => {
    const restarts = [{ at: 1, downMs: 41.6, reason: 'the thread exited with code 1' }];
    expect(planeRestartWords(restarts, 0.5)).toContain('died once during this incident, at +0.5 ms (the thread exited');
    expect(planeRestartWords(restarts)).toBe("The data plane's thread died once during this incident (the thread exited with code 1); a new thread took its ports back after 42 ms. Requests in flight on it ended with it.");
    expect(planeRestartWords([...restarts, { at: 2, downMs: null, reason: 'boom' }])).toContain('died 2 times during this incident (boom); it died too often and was not restarted');
    const base = makeReport();
    const withRestart = makeReport({ incidents: base.incidents.map((incident, i) => (i === 1 ? { ...incident, planeRestarts: restarts } : incident)) });
    expect(renderHtml(withRestart)).toContain("data-testid=\"plane-restarts-1\">The data plane&#39;s thread died once");
    expect(renderMarkdown(withRestart)).toContain(`- ${base.incidents[1]!.id} on ${base.incidents[1]!.nodeId}: The data plane`);
    expect(renderHtml(base)).not.toContain('plane-restarts');
  });
});
