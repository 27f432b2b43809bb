import type { Envelope } from './envelope.js';
import { Listeners, type Transport, type Unsubscribe } from './transport.js';

class MemoryTransport implements Transport {
  peer: MemoryTransport | undefined;
  private closed = false;
  readonly messages = new Listeners<[unknown]>();
  readonly closes = new Listeners<[]>();

  send(message: Envelope): void {
    if (this.closed) return;
    // Serialise as a real channel would, so nothing passes by reference.
    const wire = JSON.stringify(message);
    const peer = this.peer;
    queueMicrotask(() => peer?.deliver(wire));
  }

  deliver(wire: string): void {
    if (!this.closed) this.messages.emit(JSON.parse(wire) as unknown);
  }

  onMessage(listener: (message: unknown) => void): Unsubscribe {
    return this.messages.add(listener);
  }

  onClose(listener: () => void): Unsubscribe {
    return this.closes.add(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closes.emit();
    this.peer?.close();
  }
}

/** Two connected transports in one process, for tests and same-process hosts. */
export function createMemoryTransportPair(): [Transport, Transport] {
  const a = new MemoryTransport();
  const b = new MemoryTransport();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
