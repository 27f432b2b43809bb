// The command table, the recordings: recording.info and recording.get (the live lab's), report.recording (a drill run's).
import { ContractError, type CommandHandlers } from '../../../shared/contract/index.js';
import { sliceRecording } from '../../../shared/replay/slice.js';
import type { ReportStore } from '../report-store/report-store.js';
import type { LabRecording } from './lab-recording.js';

/** The live recording by stretch, and a report's, within the same size of answer. */
export function recordingCommands(recording: LabRecording, reports: ReportStore): Pick<CommandHandlers, 'recording.info' | 'recording.get' | 'report.recording'> {
  return {
    'recording.info': () => recording.info(),
    'recording.get': (range) => recording.get(range),
    'report.recording': async ({ id, from, to }) => {
      const whole = await reports.recording(id);
      if (!whole) return { recording: null };
      const stretch = from === undefined && to === undefined ? whole : sliceRecording(whole, from, to);
      const bytes = JSON.stringify(stretch).length;
      const limit = recording.settings.maxStretchBytes;
      if (bytes > limit) {
        const seconds = ((stretch.endedAt - stretch.startedAt) / 1000) * (limit / bytes);
        throw new ContractError({
          code: 'limit-exceeded',
          message: `that stretch of the report's recording holds ${(bytes / 1024 / 1024).toFixed(1)} MiB, over the ${(limit / 1024 / 1024).toFixed(1)} MiB one answer carries: ask for less (about ${Math.max(1, Math.floor(seconds))} s at a time, with from and to)`,
          field: 'to',
        });
      }
      return { recording: stretch };
    },
  };
}
