/**
 * One coarse timer wheel for the long waits of every driver (driver.ts): a BACKUP's wait for
 * its Master_Down deadline, seconds away and pushed back by every advert it hears. With a
 * Node timer per wait, a 1 000-instance BACKUP allocated ~330 Timeouts a second, each living
 * long enough to reach V8's old space, and woke the event loop for each. Here a wait joins the
 * slot of SLOT_MS it ends in, one Node timer serves the earliest slot, and the drivers of a
 * slot are called together, no earlier than asked and at most one slot later. A driver whose
 * deadline comes within a slot finishes with its own precise timer, as before.
 *
 * Cancelling is lazy: a client remembers the slot it joined and ignores a call for another
 * (a stale entry costs one call when its slot comes, no search).
 */

export interface WheelClient {
  /** The slot `slot` this client joined has come; a client that left it since does nothing. */
  onWheel(slot: number): void;
}

/** The wheel's granularity: a wait ends at most this much after its time. */
export const WHEEL_SLOT_MS = 64;

export class CoarseWheel {
  private readonly slots = new Map<number, WheelClient[]>();
  private timer: NodeJS.Timeout | null = null;
  /** The slot the pending timer is for. */
  private timerSlot = Infinity;

  constructor(
    private readonly nowMs: () => number = () => performance.now(),
    readonly slotMs: number = WHEEL_SLOT_MS,
  ) {}

  /** Call `client.onWheel(slot)` no earlier than `delayMs` from now; returns the slot. */
  add(client: WheelClient, delayMs: number): number {
    const slot = Math.ceil((this.nowMs() + Math.max(0, delayMs)) / this.slotMs);
    let list = this.slots.get(slot);
    if (list === undefined) {
      list = [];
      this.slots.set(slot, list);
    }
    list.push(client);
    if (slot < this.timerSlot) this.schedule(slot);
    return slot;
  }

  /** Entries waiting, stale ones included (tests). */
  get size(): number {
    let n = 0;
    for (const list of this.slots.values()) n += list.length;
    return n;
  }

  private schedule(slot: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerSlot = slot;
    this.timer = setTimeout(this.onTimer, Math.max(1, Math.ceil(slot * this.slotMs - this.nowMs())));
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    this.timerSlot = Infinity;
    const now = this.nowMs();
    const due: number[] = [];
    for (const slot of this.slots.keys()) if (slot * this.slotMs <= now) due.push(slot);
    due.sort((a, b) => a - b);
    for (const slot of due) {
      const list = this.slots.get(slot) ?? [];
      this.slots.delete(slot);
      for (const client of list) {
        try {
          client.onWheel(slot);
        } catch {
          // A driver's onWheel only re-arms; one that throws must not stop the others.
        }
      }
    }
    let next = Infinity;
    for (const slot of this.slots.keys()) if (slot < next) next = slot;
    if (next !== Infinity) this.schedule(next);
  };
}

/** The wheel the daemon's drivers share. */
export const sharedWheel = new CoarseWheel();
