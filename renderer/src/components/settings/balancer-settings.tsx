import { useState } from 'react';
import {
  BalancerStrategy,
  HealthCheckSettings,
  PassiveDetectionSettings,
  RetrySettings,
  type BalancerSettings as Settings,
  type BalancerSettingsPatch,
} from '../../../../shared/contract/model.js';
import { setBalancer } from '../../connection/lab-commands.js';
import { useStore } from '../../store/store.js';
import { Term } from '../concepts/term.js';
import { changedFrom, fieldsOf, issuesByField, objectFrom, valuesFrom, type FieldValues } from '../forms/schema-fields.js';
import { SchemaFieldset } from '../forms/schema-fieldset.js';

const GROUPS = [
  { key: 'health', legend: 'Health checks (active detection)', concept: 'health-check', schema: HealthCheckSettings },
  { key: 'passive', legend: 'Passive detection (outlier ejection)', concept: 'outlier-ejection', schema: PassiveDetectionSettings },
  { key: 'retry', legend: 'Retries', concept: 'retry-budget', schema: RetrySettings },
] as const;

const fieldsByGroup = Object.fromEntries(GROUPS.map((g) => [g.key, fieldsOf(g.schema)])) as Record<(typeof GROUPS)[number]['key'], ReturnType<typeof fieldsOf>>;

/** The worker counts offered (and the one in force, whatever it is). */
function workerChoices(current: Settings['workers']): Settings['workers'][] {
  const choices: Settings['workers'][] = ['auto', 1, 2, 3, 4, 6, 8, 12, 16];
  return choices.includes(current) ? choices : [...choices, current];
}

/** Strategy, workers, health checks, passive detection and retries, changed live with `balancer.set`. */
export function BalancerSettings() {
  const settings = useStore((s) => s.balancer.state?.settings);
  if (!settings) return null;
  // A new key after every change in the engine: the form starts again from what is now in force.
  return <BalancerForm key={JSON.stringify(settings)} settings={settings} />;
}

function BalancerForm({ settings }: { settings: Settings }) {
  const open = useStore((s) => s.connection.status === 'open');
  const busy = useStore((s) => s.lab.pending.balancer !== undefined);
  const [strategy, setStrategy] = useState(settings.strategy);
  const [workers, setWorkers] = useState(settings.workers);
  const running = useStore((s) => s.balancer.state?.workers);
  const [values, setValues] = useState(() => ({
    health: valuesFrom(fieldsByGroup.health, settings.health),
    passive: valuesFrom(fieldsByGroup.passive, settings.passive),
    retry: valuesFrom(fieldsByGroup.retry, settings.retry),
  }));
  const [errors, setErrors] = useState<Record<string, Record<string, string>>>({});

  const apply = async () => {
    const patch: BalancerSettingsPatch = {};
    const found: Record<string, Record<string, string>> = {};
    if (strategy !== settings.strategy) patch.strategy = strategy;
    if (workers !== settings.workers) patch.workers = workers;
    for (const group of GROUPS) {
      const next = objectFrom(fieldsByGroup[group.key], values[group.key]);
      const parsed = group.schema.safeParse(next);
      if (!parsed.success) {
        found[group.key] = issuesByField(parsed.error);
        continue;
      }
      const changed = changedFrom(parsed.data, settings[group.key]);
      if (Object.keys(changed).length > 0) Object.assign(patch, { [group.key]: changed });
    }
    setErrors(found);
    if (Object.keys(found).length > 0 || Object.keys(patch).length === 0) return;
    await setBalancer(patch);
  };

  const edit = (group: keyof typeof values) => (name: string, value: string | boolean) =>
    setValues((v) => ({ ...v, [group]: { ...v[group], [name]: value } as FieldValues }));

  return (
    <section className="panel" aria-labelledby="balancer-settings-heading" data-testid="settings-balancer">
      <h2 id="balancer-settings-heading">Balancer</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void apply();
        }}
      >
        <label className="field">
          <span className="field-label">strategy</span>
          <select data-testid="settings-strategy" value={strategy} onChange={(e) => setStrategy(e.currentTarget.value as Settings['strategy'])}>
            {BalancerStrategy.options.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">workers</span>
          <select data-testid="settings-workers" value={String(workers)} onChange={(e) => setWorkers(e.currentTarget.value === 'auto' ? 'auto' : Number(e.currentTarget.value))}>
            {workerChoices(settings.workers).map((w) => (
              <option key={w} value={String(w)}>
                {w === 'auto' ? 'auto (one per core, at most 4)' : w}
              </option>
            ))}
          </select>
        </label>
        {running && (
          <p className="small muted" data-testid="settings-workers-running">
            {running.running === 1 ? 'One balancer thread serves' : `${running.running} balancer threads share`} the port
            {running.running < running.asked ? ` (${running.asked} asked): ${running.note ?? 'the others could not start'}` : '.'}
          </p>
        )}
        {GROUPS.map((group) => (
          <div key={group.key}>
            <p className="group-term small">
              <Term id={group.concept}>What is this?</Term>
            </p>
            <SchemaFieldset
              legend={group.legend}
              fields={fieldsByGroup[group.key]}
              values={values[group.key]}
              errors={errors[group.key]}
              testIdPrefix={`settings-${group.key}`}
              onChange={edit(group.key)}
            />
          </div>
        ))}
        <button type="submit" className="primary" data-testid="settings-balancer-apply" disabled={!open || busy}>
          Apply to the balancer
        </button>
      </form>
    </section>
  );
}
