import type { SimEventId, SimTime } from './types';

/**
 * Real-world I/O the simulation waits for (sockets bridged to local servers). While it is busy,
 * virtual time does not advance: the loop settles it first, so the firmware sees the same
 * sequence of events whatever the real latency was.
 */
export interface HostIo {
  busy(): boolean;
  /** Waits until the outstanding real I/O has produced its events (scheduled on the world). */
  settle(): Promise<void>;
}

/**
 * Promise continuations an event starts (the firmware's async sessions) must run at that event's
 * virtual time, before the clock moves on. Awaiting lets each pending continuation chain advance
 * one hop per round; this many rounds covers the deepest chains in the firmware (a socket read
 * resolving through the FTP client, a deadline wrapper and the session's stage), in Node and XS alike.
 */
const MICROTASK_ROUNDS = 24;

interface SimEvent {
  readonly at: number;
  readonly seq: number;
  readonly id: SimEventId;
  readonly fn: () => void;
}

/** Binary min-heap on (at, seq): same-time events run in the order they were scheduled. */
class EventHeap {
  private readonly items: SimEvent[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): SimEvent | undefined {
    return this.items[0];
  }

  push(e: SimEvent): void {
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  pop(): SimEvent | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l], a[m])) m = l;
        if (r < a.length && before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(x: SimEvent, y: SimEvent): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq);
}

/** The simulator's virtual clock and event queue. */
export class SimWorld implements SimTime {
  private time: number;
  private seq = 0;
  private nextId = 1;
  private readonly heap = new EventHeap();
  private readonly cancelled = new Set<SimEventId>();
  private hostIo: HostIo | undefined;

  constructor(startMs: number) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  at(atMs: number, fn: () => void): SimEventId {
    const id = this.nextId++;
    this.heap.push({ at: Math.max(atMs, this.time), seq: this.seq++, id, fn });
    return id;
  }

  cancel(id: SimEventId): void {
    this.cancelled.add(id);
  }

  attachHostIo(io: HostIo): void {
    this.hostIo = io;
  }

  /** Time of the next live event, or undefined when the queue is empty. */
  nextEventTime(): number | undefined {
    this.dropCancelledHead();
    return this.heap.peek()?.at;
  }

  /** Runs every event up to and including `endMs`, then leaves the clock at `endMs`. */
  async runUntil(endMs: number): Promise<void> {
    for (;;) {
      const io = this.hostIo;
      if (io !== undefined && io.busy()) await io.settle();
      this.dropCancelledHead();
      const next = this.heap.peek();
      if (next === undefined || next.at > endMs) break;
      this.heap.pop();
      this.time = next.at;
      next.fn();
      for (let i = 0; i < MICROTASK_ROUNDS; i++) await undefined;
    }
    if (endMs > this.time) this.time = endMs;
  }

  /**
   * Runs event by event until `p` settles, then returns its value (or throws its error). Throws
   * when the queue runs dry or `limitMs` of virtual time pass first: the promise is stalled.
   */
  async settleWith<T>(p: Promise<T>, limitMs: number): Promise<T> {
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    p.then(
      (value) => {
        outcome = { ok: true, value };
      },
      (error: unknown) => {
        outcome = { ok: false, error };
      },
    );
    const end = this.time + limitMs;
    await this.runUntil(this.time);
    while (outcome === undefined) {
      const next = this.nextEventTime();
      if (next === undefined || next > end) throw new Error(`stalled at ${new Date(this.time).toISOString()}`);
      await this.runUntil(next);
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  private dropCancelledHead(): void {
    for (let e = this.heap.peek(); e !== undefined && this.cancelled.has(e.id); e = this.heap.peek()) {
      this.heap.pop();
      this.cancelled.delete(e.id);
    }
  }
}
