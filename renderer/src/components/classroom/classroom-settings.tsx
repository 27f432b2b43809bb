import { useEffect, useState } from 'react';
import { refreshClassroom, setClassroomOn, useClassroom } from './classroom-state.js';

/** Settings > Classroom: the switch, the viewers' link to hand out, and how many watch. */
export function ClassroomSettings() {
  const status = useClassroom((s) => s.status);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void refreshClassroom();
    // The viewer count moves as students come and go.
    const timer = setInterval(() => void refreshClassroom(), 2_000);
    return () => clearInterval(timer);
  }, []);
  if (status?.role === 'viewer') return null;
  const toggle = async (on: boolean): Promise<void> => {
    setBusy(true);
    try {
      await setClassroomOn(on);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="classroom-settings-heading" data-testid="settings-classroom" data-on={status?.on ?? false}>
      <h2 id="classroom-settings-heading">Classroom</h2>
      {!status?.available ? (
        <p className="muted small" data-testid="settings-classroom-unavailable">
          Classroom mode needs the web host: start the lab with <code>firedrill serve --classroom</code>.
        </p>
      ) : (
        <>
          <label className="classroom-switch">
            <input type="checkbox" role="switch" data-testid="classroom-switch" checked={status.on} disabled={busy} onChange={(e) => void toggle(e.target.checked)} />
            <span>{status.on ? 'On: students can watch with the link below' : 'Off'}</span>
          </label>
          {status.link ? (
            <>
              <p>
                <code data-testid="classroom-link">{status.link.url}</code>
              </p>
              <p className="muted small" data-testid="classroom-viewers">
                {status.viewers} of {status.maxViewers} viewers watching. Read only: they see the lab and the drill live and vote on predictions; they cannot change anything.
                {status.link.address === '127.0.0.1' ? (
                  <>
                    {' '}
                    On 127.0.0.1: this machine only (a projector, or another browser here). Another interface is <code>firedrill serve --classroom --classroom-host ADDR --yes</code>.
                  </>
                ) : (
                  ` On ${status.link.address}: anyone on that network with the link can watch.`
                )}
              </p>
            </>
          ) : (
            <p className="muted small">A second, read-only link with its own token, for up to {status.maxViewers} viewers on this machine.</p>
          )}
        </>
      )}
    </section>
  );
}
