import { useEffect, useState } from 'react';
import type { ChaosMeshExport } from '../../../../shared/drill/chaos-mesh/options.js';
import { DEFAULT_SELECTOR_KEY } from '../../../../shared/drill/chaos-mesh/options.js';
import { parseSelectors, SelectorSyntaxError } from '../../../../shared/drill/chaos-mesh/selectors.js';
import { exportDrillToChaosMesh } from '../../connection/lab-commands.js';
import { messageOf } from '../../connection/connection.js';
import { useStore } from '../../store/store.js';
import { downloadText } from '../reports/download.js';

type Outcome = { status: 'idle' } | { status: 'busy' } | { status: 'error'; message: string } | { status: 'ok'; result: ChaosMeshExport };

/**
 * *Export for Kubernetes*: the drill as a Chaos Mesh Workflow, saved as a YAML file, with the list
 * of what Chaos Mesh cannot express shown beside it (it is in the file as comments too).
 */
export function ChaosMeshExportPanel({ drillId }: { drillId: string }) {
  const connected = useStore((s) => s.connection.status === 'open');
  const [namespace, setNamespace] = useState('');
  const [selectorText, setSelectorText] = useState('');
  const [outcome, setOutcome] = useState<Outcome>({ status: 'idle' });

  // A new drill, a new export.
  useEffect(() => setOutcome({ status: 'idle' }), [drillId]);

  async function exportNow(): Promise<void> {
    let selectors;
    try {
      selectors = parseSelectors(selectorText.split('\n').map((line) => line.trim()).filter(Boolean));
    } catch (error) {
      setOutcome({ status: 'error', message: error instanceof SelectorSyntaxError ? `Selector ${error.message}` : messageOf(error) });
      return;
    }
    setOutcome({ status: 'busy' });
    try {
      const result = await exportDrillToChaosMesh({ id: drillId, ...selectors, ...(namespace.trim() ? { namespace: namespace.trim() } : {}) });
      setOutcome({ status: 'ok', result });
      save(result);
    } catch (error) {
      setOutcome({ status: 'error', message: messageOf(error) });
    }
  }

  return (
    <details className="chaos-mesh-export" data-testid="chaos-mesh-export">
      <summary>Export for Kubernetes (Chaos Mesh)</summary>
      <p className="muted small">
        The drill as a Chaos Mesh Workflow: its waits, faults and their durations. Each node id selects pods labelled <code>{DEFAULT_SELECTOR_KEY}=&lt;node id&gt;</code> unless you say otherwise.
        Apply it with <code>kubectl apply -f FILE</code> (docs/chaos-mesh.md).
      </p>
      <form
        className="chaos-mesh-form"
        onSubmit={(event) => {
          event.preventDefault();
          void exportNow();
        }}
      >
        <label className="field">
          <span className="field-label">Namespace</span>
          <input type="text" data-testid="chaos-mesh-namespace" placeholder="default" value={namespace} onChange={(event) => setNamespace(event.target.value)} />
        </label>
        <label className="field chaos-mesh-selectors">
          <span className="field-label">Selectors, one a line</span>
          <textarea
            rows={3}
            data-testid="chaos-mesh-selectors"
            placeholder={'p1:statefulset.kubernetes.io/pod-name=kv-0\napp=kv   (every node)'}
            value={selectorText}
            onChange={(event) => setSelectorText(event.target.value)}
          />
        </label>
        <button type="submit" data-testid="chaos-mesh-export-button" disabled={!connected || outcome.status === 'busy'}>
          {outcome.status === 'busy' ? 'Exporting…' : 'Export YAML'}
        </button>
      </form>
      {outcome.status === 'error' ? (
        <p className="field-error" role="alert" data-testid="chaos-mesh-error">
          {outcome.message}
        </p>
      ) : null}
      {outcome.status === 'ok' ? (
        <div data-testid="chaos-mesh-result">
          <p className="small">
            Saved as <code data-testid="chaos-mesh-file">{outcome.result.fileName}</code> (Workflow <code>{outcome.result.workflowName}</code>).{' '}
            <button type="button" className="quiet" data-testid="chaos-mesh-save-again" onClick={() => save(outcome.result)}>
              Save again
            </button>
          </p>
          <h4 className="chaos-mesh-gaps-head">Not expressed in Chaos Mesh ({outcome.result.gaps.length})</h4>
          <ul className="chaos-mesh-gaps" data-testid="chaos-mesh-gaps">
            {outcome.result.gaps.map((gap, index) => (
              <li key={index} data-kind={gap.kind}>
                <span className="muted">{gap.step === null ? 'drill' : `step ${gap.step}`}</span>
                {gap.kind === 'approximate' ? <span className="chaos-mesh-approx"> approximate</span> : null}: {gap.text}
              </li>
            ))}
          </ul>
          <details>
            <summary>The YAML</summary>
            <pre className="chaos-mesh-yaml" data-testid="chaos-mesh-yaml">
              {outcome.result.yaml}
            </pre>
          </details>
        </div>
      ) : null}
    </details>
  );
}

/** Offers the file for download (a save dialog in the desktop app, the downloads folder in a browser). */
function save(result: ChaosMeshExport): void {
  downloadText(result.fileName, result.yaml, 'application/yaml;charset=utf-8');
}
