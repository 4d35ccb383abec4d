import { describe, expect, it, vi } from 'vitest';
import type { EventsPage } from '@/client';
import type { RealtimeEvent } from './events';
import { resync, SeqTracker } from './resync';

const event = (seq: number) => ({
  seq,
  name: 'agent-status',
  data: { user_id: 'u', name: 'Ana', status: 'online', changed_at: '2026-01-01T00:00:00Z' },
  created_at: '2026-01-01T00:00:00Z',
});

describe('SeqTracker', () => {
  it('skips a seq already applied', () => {
    const tracker = new SeqTracker();
    expect(tracker.accept(5)).toBe(true);
    expect(tracker.accept(5)).toBe(false);
  });

  it('resumes from the highest seq received two seconds before the drop, or the last answer', () => {
    const tracker = new SeqTracker();
    tracker.answer(10);
    tracker.accept(11, 1_000);
    tracker.accept(13, 9_500); // just before the drop: 12 may still be in flight
    expect(tracker.resumePoint(10_000)).toBe(11);
    expect(tracker.resumePoint(20_000)).toBe(13);
    tracker.answer(20);
    expect(tracker.resumePoint(10_000)).toBe(20);
  });
});

describe('resync', () => {
  it('reads every page after the resume point and applies each event once', async () => {
    const tracker = new SeqTracker();
    tracker.answer(10);
    tracker.accept(12, 0); // arrived by socket long ago
    const pages: Record<number, EventsPage> = {
      12: { reload: false, events: [event(13), event(14)], last_seq: 14, has_more: true },
      14: { reload: false, events: [event(15)], last_seq: 17, has_more: false },
    };
    const fetchEvents = vi.fn(async (after?: number) => pages[after!]!);
    const applied: number[] = [];
    const onReload = vi.fn();

    const count = await resync(tracker, 60_000, fetchEvents, (e: RealtimeEvent) => applied.push(e.seq), onReload);

    expect(fetchEvents.mock.calls.map(([after]) => after)).toEqual([12, 14]);
    expect(applied).toEqual([13, 14, 15]);
    expect(count).toBe(3);
    expect(onReload).not.toHaveBeenCalled();
    // The next resync continues from the last answer, and 15 arriving late by socket is skipped.
    expect(tracker.resumePoint(60_000)).toBe(17);
    expect(tracker.accept(15)).toBe(false);
  });

  it('reloads the lists when the log no longer holds the gap', async () => {
    const tracker = new SeqTracker();
    tracker.answer(3);
    const onReload = vi.fn();
    const fetchEvents = vi.fn(async () => ({ reload: true, events: [], last_seq: 900, has_more: false }));
    await resync(tracker, Date.now(), fetchEvents, () => undefined, onReload);
    expect(onReload).toHaveBeenCalledOnce();
    expect(tracker.resumePoint(Date.now())).toBe(900);
  });
});
