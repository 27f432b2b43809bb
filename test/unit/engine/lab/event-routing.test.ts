import { describe, expect, it } from 'vitest';
import { EventRouter } from '../../../../electron/engine/lab/event-routing';

describe("the lab's event routing", () => {
  it('refuses, by name, an event that arrives before the parts are attached (rather than dropping it)', () => {
    const router = new EventRouter();
    const fleet = router.fleetListener();
    expect(() => fleet.onLogs([], 0)).toThrow('an event arrived before the lab was wired');
    expect(() => router.faultListener().onTimeline('fault.injected', 'p1', {}, 1)).toThrow(/before the lab was wired/);
  });
});
