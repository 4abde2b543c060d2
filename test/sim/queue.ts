/**
 * The simulator's two priority queues (test/sim/lan.ts), both ordered by (time, sequence) so
 * that events at one instant run in the order they were scheduled: a plain binary heap for
 * packets in flight and callbacks, and an indexed heap for the instances' timers, where
 * re-arming moves an instance's one entry instead of leaving a stale one behind.
 */

export interface QueueEntry {
  readonly t: number;
  readonly seq: number;
}

/** What the timer heap needs of an instance: its armed deadline and its heap position. */
export interface TimerEntry {
  timerAt: number | null;
  timerSeq: number;
  /** -1 when not armed. */
  heapIndex: number;
}

/** Binary min-heap on (t, seq). */
function lessEntry(x: QueueEntry, y: QueueEntry): boolean {
  return x.t < y.t || (x.t === y.t && x.seq < y.seq);
}

function lessTimer(x: TimerEntry, y: TimerEntry): boolean {
  const tx = x.timerAt as number;
  const ty = y.timerAt as number;
  return tx < ty || (tx === ty && x.timerSeq < y.timerSeq);
}

export class Queue<T extends QueueEntry> {
  private readonly a: T[] = [];
  get size(): number {
    return this.a.length;
  }
  peek(): T | undefined {
    return this.a[0];
  }
  push(item: T): void {
    const a = this.a;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pi = a[p] as T;
      if (!lessEntry(item, pi)) break;
      a[i] = pi;
      i = p;
    }
    a[i] = item;
  }
  pop(): T | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    let i = 0;
    const n = a.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && lessEntry(a[r] as T, a[l] as T)) c = r;
      if (!lessEntry(a[c] as T, last)) break;
      a[i] = a[c] as T;
      i = c;
    }
    a[i] = last;
    return top;
  }
}

/**
 * The instances' timers: an indexed binary min-heap on (timerAt, timerSeq) holding each armed
 * entry once, so re-arming moves the entry instead of leaving a stale one behind.
 */
export class TimerHeap<S extends TimerEntry> {
  private readonly a: S[] = [];
  peek(): S | undefined {
    return this.a[0];
  }
  /** Arm (or move) the timer of `s`. */
  set(s: S, t: number, seq: number): void {
    s.timerAt = t;
    s.timerSeq = seq;
    if (s.heapIndex < 0) {
      s.heapIndex = this.a.length;
      this.a.push(s);
    }
    this.up(s.heapIndex);
    this.down(s.heapIndex);
  }
  remove(s: S): void {
    const i = s.heapIndex;
    s.timerAt = null;
    if (i < 0) return;
    s.heapIndex = -1;
    const last = this.a.pop() as S;
    if (i === this.a.length) return;
    this.a[i] = last;
    last.heapIndex = i;
    this.up(i);
    this.down(last.heapIndex);
  }
  private up(i: number): void {
    const a = this.a;
    const x = a[i] as S;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const px = a[p] as S;
      if (!lessTimer(x, px)) break;
      a[i] = px;
      px.heapIndex = i;
      i = p;
    }
    a[i] = x;
    x.heapIndex = i;
  }
  private down(i: number): void {
    const a = this.a;
    const n = a.length;
    const x = a[i] as S;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && lessTimer(a[r] as S, a[l] as S)) c = r;
      const cx = a[c] as S;
      if (!lessTimer(cx, x)) break;
      a[i] = cx;
      cx.heapIndex = i;
      i = c;
    }
    a[i] = x;
    x.heapIndex = i;
  }
}
