import { useMemo, useState } from 'react';
import { FaultAttributes, FaultInject, faultKindOf, type FaultType } from '../../../../shared/contract/model.js';
import { injectFault } from '../../connection/lab-commands.js';
import { useStore } from '../../store/store.js';
import { showConcept } from '../../store/ui-actions.js';
import { fieldsOf, issuesByField, objectFrom, valuesFrom, type FieldValues } from '../forms/schema-fields.js';
import { SchemaFieldset } from '../forms/schema-fieldset.js';
import { FAULT_CATALOG } from './fault-catalog.js';

const TYPES = Object.keys(FaultAttributes) as FaultType[];
const KINDS = ['process', 'network', 'http', 'checkpoint'] as const;

/** Every fault type, its fields generated from the contract's FaultAttributes; `target` fixes the node. */
export function FaultForm({ target: fixedTarget, testIdPrefix = 'fault' }: { target?: string; testIdPrefix?: string }) {
  const nodeIds = useStore((s) => s.lab.nodeIds);
  const open = useStore((s) => s.connection.status === 'open');
  const [type, setType] = useState<FaultType>('latency');
  const [chosenTarget, setTarget] = useState<string>('');
  const target = fixedTarget ?? (nodeIds.includes(chosenTarget) ? chosenTarget : (nodeIds[0] ?? ''));
  const busy = useStore((s) => s.lab.pending[target] !== undefined);
  const fields = useMemo(() => fieldsOf(FaultAttributes[type]), [type]);
  const [values, setValues] = useState<FieldValues>(() => valuesFrom(fields));
  const [duration, setDuration] = useState('');
  const [toxicity, setToxicity] = useState('1');
  const [stream, setStream] = useState<'downstream' | 'upstream'>('downstream');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const network = faultKindOf(type) === 'network';

  const chooseType = (next: FaultType) => {
    setType(next);
    setValues(valuesFrom(fieldsOf(FaultAttributes[next])));
    setErrors({});
    const concept = FAULT_CATALOG[next].concept;
    if (concept) showConcept(concept);
  };

  const submit = async () => {
    const params = {
      type,
      target,
      attributes: objectFrom(fields, values),
      ...(duration.trim() ? { durationMs: Number(duration) } : {}),
      ...(network ? { toxicity: Number(toxicity), stream } : {}),
    };
    const parsed = FaultInject.safeParse(params);
    if (!parsed.success) {
      setErrors(issuesByField(parsed.error, (path) => (path[0] === 'attributes' ? path[1] : path[0])));
      return;
    }
    setErrors({});
    await injectFault(parsed.data);
  };

  return (
    <form
      className="fault-form"
      data-testid={`${testIdPrefix}-form`}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="field-grid">
        <label className="field">
          <span className="field-label">fault</span>
          <select data-testid={`${testIdPrefix}-type`} value={type} onChange={(e) => chooseType(e.currentTarget.value as FaultType)}>
            {KINDS.map((kind) => (
              <optgroup key={kind} label={kind}>
                {TYPES.filter((t) => faultKindOf(t) === kind).map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </label>
        {fixedTarget === undefined ? (
          <label className="field">
            <span className="field-label">target</span>
            <select data-testid={`${testIdPrefix}-target`} value={target} onChange={(e) => setTarget(e.currentTarget.value)}>
              {nodeIds.map((id) => (
                <option key={id} value={id}>
                  {id}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label className={`field${errors.durationMs ? ' field-invalid' : ''}`}>
          <span className="field-label">
            duration <span className="muted small">(ms, empty: until reverted)</span>
          </span>
          <input data-testid={`${testIdPrefix}-duration`} type="number" min={1} step={1} placeholder="until reverted" value={duration} onChange={(e) => setDuration(e.currentTarget.value)} />
          {errors.durationMs ? <span className="field-error">{errors.durationMs}</span> : null}
        </label>
        {network ? (
          <>
            <label className={`field${errors.toxicity ? ' field-invalid' : ''}`}>
              <span className="field-label">
                toxicity <span className="muted small">(0–1, per connection)</span>
              </span>
              <input data-testid={`${testIdPrefix}-toxicity`} type="number" min={0} max={1} step={0.05} value={toxicity} onChange={(e) => setToxicity(e.currentTarget.value)} />
              {errors.toxicity ? <span className="field-error">{errors.toxicity}</span> : null}
            </label>
            <label className="field">
              <span className="field-label">
                stream <span className="muted small">(direction)</span>
              </span>
              <select data-testid={`${testIdPrefix}-stream`} value={stream} onChange={(e) => setStream(e.currentTarget.value as 'downstream' | 'upstream')}>
                <option value="downstream">downstream: to the client</option>
                <option value="upstream">upstream: to the node</option>
              </select>
            </label>
          </>
        ) : null}
      </div>
      <p className="fault-summary muted" data-testid={`${testIdPrefix}-summary`}>
        {FAULT_CATALOG[type].summary}
      </p>
      {fields.length > 0 ? (
        <SchemaFieldset
          legend={`${type} attributes`}
          fields={fields}
          values={values}
          hints={FAULT_CATALOG[type].units}
          errors={errors}
          testIdPrefix={`${testIdPrefix}-attr`}
          onChange={(name, value) => setValues((v) => ({ ...v, [name]: value }))}
        />
      ) : null}
      {errors.target ? <p className="field-error">{errors.target}</p> : null}
      <button type="submit" className="primary" data-testid={`${testIdPrefix}-inject`} disabled={!open || busy || !target}>
        Inject {type} on {target || '…'}
      </button>
    </form>
  );
}
