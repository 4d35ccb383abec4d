/**
 * The client side of the resync protocol (docs/realtime.md, "Resync after a reconnect").
 *
 * Socket.IO delivers at most once, so every event also goes to a log read back with
 * GET /api/events?after=<seq>. The tracker remembers what was applied (an event arriving by
 * socket and again by resync is applied once: a notification must not ring twice) and where
 * to resume: the highest of the last `last_seq` the server answered and the highest `seq`
 * received at least two seconds before the connection dropped — two events committed within
 * milliseconds may arrive out of order, and resuming from the later one would skip the other.
 */
import type { EventsPage } from '@/client';
import { isEventName, type RealtimeEvent } from './events';

export const RESUME_MARGIN_MS = 2_000;
/** How many applied seqs to remember; resyncs never go back further than this in practice. */
const REMEMBERED = 2_000;

export class SeqTracker {
  /** The last `last_seq` answered by GET /api/events. */
  private answered = 0;
  /** Applied seqs with the time they arrived, oldest first. */
  private received = new Map<number, number>();

  /** Record a seq; false when it was already applied (skip it). */
  accept(seq: number, now = Date.now()): boolean {
    if (this.received.has(seq) || seq <= this.floor()) return false;
    this.received.set(seq, now);
    if (this.received.size > REMEMBERED) {
      const oldest = this.received.keys().next().value;
      if (oldest !== undefined) this.received.delete(oldest);
    }
    return true;
  }

  answer(lastSeq: number): void {
    this.answered = Math.max(this.answered, lastSeq);
  }

  /** Where a resync after a drop at `droppedAt` starts. */
  resumePoint(droppedAt: number): number {
    let resume = this.answered;
    for (const [seq, at] of this.received) {
      if (at <= droppedAt - RESUME_MARGIN_MS && seq > resume) resume = seq;
    }
    return resume;
  }

  /** Seqs at or below this were surely seen (the server answered past them, or forgotten). */
  private floor(): number {
    const oldest = this.received.keys().next().value;
    return this.received.size >= REMEMBERED && oldest !== undefined ? oldest : 0;
  }
}

/** GET /api/events: without `after`, just the current cursor (`last_seq`). */
export type FetchEvents = (after?: number) => Promise<EventsPage>;

/**
 * Read the log from the resume point until `has_more` is false, applying what was missed.
 * On `reload` (the log no longer holds everything after the cursor) `onReload` refetches the
 * lists instead. Returns how many events were applied.
 */
export async function resync(
  tracker: SeqTracker,
  droppedAt: number,
  fetchEvents: FetchEvents,
  apply: (event: RealtimeEvent) => void,
  onReload: () => void,
): Promise<number> {
  let after = tracker.resumePoint(droppedAt);
  let applied = 0;
  for (;;) {
    const page = await fetchEvents(after);
    if (page.reload) onReload();
    for (const event of page.events) {
      if (!isEventName(event.name) || !tracker.accept(event.seq)) continue;
      apply({ name: event.name, seq: event.seq, data: event.data } as RealtimeEvent);
      applied += 1;
    }
    tracker.answer(page.last_seq);
    if (!page.has_more || page.last_seq <= after) return applied;
    after = page.last_seq;
  }
}
