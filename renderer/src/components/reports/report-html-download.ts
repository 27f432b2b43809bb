// The HTML a user downloads from the app is the file the engine writes: with the run's recording and
// its offline player when the run has one (gzipped in the page with CompressionStream, as the engine does with zlib).
import type { DrillReport } from '../../../../shared/report/model.js';
import { renderHtml } from '../../../../shared/report/html.js';
import { playerRecording, type EmbeddedRecording } from '../../../../shared/report/player.js';
import type { Recording } from '../../../../shared/replay/recording.js';
import { messageOf, query } from '../../connection/connection.js';

async function gzipBase64(text: string): Promise<string> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let binary = '';
  // In slices: String.fromCharCode over a whole recording would overflow the call stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** What the player embeds for `report`: its recording from the engine (`report.recording`), or why there is none. */
export async function embeddedRecordingOf(report: DrillReport): Promise<EmbeddedRecording> {
  let recording: Recording | null;
  try {
    recording = (await query('report.recording', { id: report.id })).recording;
  } catch (error) {
    return { missing: `its recording could not be fetched from the lab: ${messageOf(error)}` };
  }
  if (!recording) return { missing: 'this run has no recording (written before recordings existed)' };
  if (typeof CompressionStream !== 'function') return { missing: 'this browser cannot compress the recording (no CompressionStream)' };
  return { base64: await gzipBase64(JSON.stringify(playerRecording(recording))) };
}

/** report.html as the engine writes it, player included. */
export async function reportHtmlWithPlayer(report: DrillReport): Promise<string> {
  return renderHtml(report, { recording: await embeddedRecordingOf(report) });
}
