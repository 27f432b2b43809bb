import type { Envelope } from './envelope.js';

export type Unsubscribe = () => void;

/** A bidirectional message channel. Messages are untrusted until the receiver validates them. */
export interface Transport {
  send(message: Envelope): void;
  onMessage(listener: (message: unknown) => void): Unsubscribe;
  onClose(listener: () => void): Unsubscribe;
  /** `code` and `reason` are a WebSocket's close code and reason; channels without them ignore both. */
  close(code?: number, reason?: string): void;
  /** Bytes sent but not yet taken by the peer (a WebSocket's bufferedAmount); absent where the channel cannot tell. */
  backlog?(): number;
}

/** Fans messages out to listeners; the building block of every transport. */
export class Listeners<T extends unknown[]> {
  private readonly set = new Set<(...args: T) => void>();

  add(listener: (...args: T) => void): Unsubscribe {
    this.set.add(listener);
    return () => {
      this.set.delete(listener);
    };
  }

  emit(...args: T): void {
    for (const listener of [...this.set]) listener(...args);
  }

  clear(): void {
    this.set.clear();
  }

  get size(): number {
    return this.set.size;
  }
}
