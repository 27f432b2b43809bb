// Instants as a person reads them in replay: the wall-clock time to the millisecond, and offsets.

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** "12:04:31.512": the local time of an engine instant (epoch ms). */
export function clockTime(at: number): string {
  const d = new Date(at);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** "+1.204 s after the fault", "0.800 s before the fault". */
export function faultOffset(deltaMs: number): string {
  const seconds = (Math.abs(deltaMs) / 1000).toFixed(3);
  return deltaMs >= 0 ? `+${seconds} s after the fault` : `${seconds} s before the fault`;
}

/** A span as "00:41", "12:05", or "1:02:41" past an hour (whole seconds, rounded down). */
export function spanText(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${pad(minutes)}:${pad(seconds)}`;
}
