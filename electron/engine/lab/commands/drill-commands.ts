// The command table, drills and their reports: drill.*, report.*.
import { ContractError, type CommandHandlers } from '../../../../shared/contract/index.js';
import type { DrillService } from '../../drills/drill-service.js';
import { ChaosMeshExportError, exportChaosMesh } from '../../export/chaos-mesh.js';
import type { ReportStore } from '../../report-store/report-store.js';

type DrillCommand = 'drill.list' | 'drill.get' | 'drill.exportChaosMesh' | 'drill.run' | 'drill.abort' | 'drill.answer' | 'drill.vote' | 'drill.status';
type ReportCommand = 'report.list' | 'report.open' | 'report.compare' | 'report.export';

/** Drills (the library, one run at a time) and their reports. */
export function drillCommands(drills: DrillService, reports: ReportStore): Pick<CommandHandlers, DrillCommand | ReportCommand> {
  return {
    'drill.list': () => drills.list(),
    'drill.get': ({ id }) => drills.get(id),
    'drill.exportChaosMesh': ({ id, ...options }) => {
      try {
        return exportChaosMesh(drills.get(id).spec, options);
      } catch (error) {
        if (error instanceof ChaosMeshExportError) throw new ContractError({ code: 'invalid-params', message: error.message, field: `params.${error.field}` });
        throw error;
      }
    },
    'drill.run': (params) => drills.run(params),
    'drill.abort': ({ runId }) => drills.abort(runId),
    'drill.answer': (params) => drills.answer(params),
    // The operator's own vote counts once too (a teacher trying the classroom view from its window).
    'drill.vote': (params, caller) => drills.vote(`${caller.role}:${caller.id}`, params),
    'drill.status': () => ({ run: drills.status() }),
    'report.list': ({ limit }) => reports.list(limit),
    'report.open': ({ id }) => reports.open(id),
    'report.compare': ({ ids }) => reports.compare(ids).comparison,
    'report.export': async ({ id, format }) => ({ path: await reports.export(id, format) }),
  };
}
