// What a lab is created with (re-exported by lab.ts, where every caller imports it from).
import type { FleetSpecInput, TopologySpec } from '../../../shared/contract/index.js';
import type { DataPlane } from '../data-plane/index.js';
import type { ProcessLauncher } from '../fleet/index.js';
import type { RecordingSettings } from '../recording/lab-recording.js';
import type { PdfPrinter } from '../report-store/report-store.js';

export interface LabOptions {
  /** Where node data folders live; default `$FIREDRILL_RUN_DIR` or `~/.firedrill/runs/<time>`. */
  runDir?: string;
  /** A fleet file's contents to run as-is (no failover controller); overrides `topology`. */
  fleet?: FleetSpecInput;
  /** The redundancy topology to build the fleet from; default a primary with a hot standby. */
  topology?: Partial<TopologySpec> & Pick<TopologySpec, 'kind'>;
  /** Start the fleet at once (default true). */
  autoStart?: boolean;
  /** The balancer's port on 127.0.0.1 (default 0: a free port). */
  balancerPort?: number;
  /** The drill report history; default `$FIREDRILL_REPORTS_DIR` or `~/.firedrill/reports`. */
  reportsDir?: string;
  /** How reports become PDF; default Chromium through Playwright (the desktop app passes Electron's printToPDF). */
  printPdf?: PdfPrinter;
  /** How the fleet's processes start; default plain Node (the desktop app passes Electron's utility processes). */
  launcher?: ProcessLauncher;
  /** Serve Toxiproxy's HTTP API on 127.0.0.1 (port 0: a free one; token: require it as a bearer token). Default off. */
  toxiproxy?: { port?: number; token?: string };
  /** The data plane (the balancer and the fault proxies); default in-process. Tests record it; a threaded one fits too. */
  dataPlane?: () => DataPlane;
  /** The recording's bounds and keyframe interval (electron/engine/recording; defaults: 30 min, 96 MiB, a keyframe every 10 s). */
  recording?: Partial<RecordingSettings>;
}
