import type { FaultType } from '../../../../shared/contract/model.js';

/** What each fault does, in a line, and the unit of each attribute (the contract keeps Toxiproxy's). */
export const FAULT_CATALOG: Record<FaultType, { summary: string; units?: Record<string, string>; concept?: string }> = {
  kill: { summary: 'Kill the process (SIGKILL, or SIGTERM then SIGKILL after the grace). The supervisor restarts it.', units: { graceMs: 'ms' }, concept: 'mttd' },
  pause: { summary: 'Freeze the process (SIGSTOP) until reverted: a hang, not a crash. Only probes and timeouts see it.', concept: 'health-check' },
  'crash-loop': { summary: 'The node dies right after every start until reverted; the supervisor backs off, then gives up.', units: { afterMs: 'ms' } },
  restart: { summary: 'Stop the node gracefully and start it again.', units: { graceMs: 'ms' } },
  latency: { summary: 'Delay every chunk by latency ± jitter (uniform), as Toxiproxy does.', units: { latency: 'ms', jitter: 'ms' }, concept: 'retry-budget' },
  bandwidth: { summary: 'Limit the link to a rate.', units: { rate: 'KB/s' } },
  slow_close: { summary: 'Delay the TCP close.', units: { delay: 'ms' } },
  timeout: { summary: 'Pass no data; close the connection after the timeout (0: never).', units: { timeout: 'ms' }, concept: 'retry-budget' },
  reset_peer: { summary: 'Reset the connection (TCP RST) after the timeout.', units: { timeout: 'ms' }, concept: 'outlier-ejection' },
  slicer: { summary: 'Cut data into small slices, sent apart.', units: { average_size: 'bytes', size_variation: 'bytes', delay: 'µs' } },
  limit_data: { summary: 'Close the connection after this many bytes.', units: { bytes: 'bytes' } },
  partition: { summary: 'Cut the node off: its balancer link, its replication link, or both.', concept: 'partition' },
  http_error: { summary: 'Answer a share of requests with an HTTP error, at the balancer’s hop.', units: { share: '0–1' }, concept: 'outlier-ejection' },
  http_abort: { summary: 'Cut a share of responses after some bytes.', units: { share: '0–1', afterBytes: 'bytes' } },
  checkpoint_bitflip: { summary: 'Flip bits in a checkpoint (newest, or generation N). Seen at the next restore.', units: { generation: 'n' }, concept: 'checkpoint' },
  checkpoint_truncate: { summary: 'Cut a checkpoint short.', units: { keepBytes: 'bytes', generation: 'n' }, concept: 'checkpoint' },
  checkpoint_zero: { summary: 'Zero a byte range of a checkpoint.', units: { offset: 'bytes', length: 'bytes', generation: 'n' }, concept: 'checkpoint' },
  checkpoint_delete_newest: { summary: 'Delete the newest checkpoint.', concept: 'checkpoint' },
  checkpoint_stale: { summary: 'Put an older checkpoint in place of the newest.', concept: 'checkpoint' },
  wal_corrupt_tail: { summary: 'Corrupt the last bytes of the write-ahead log.', units: { bytes: 'bytes' }, concept: 'checkpoint' },
};
