import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PhoneTyping, TYPING_IDLE_MS, TYPING_REPEAT_MS } from './typing';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('PhoneTyping', () => {
  it('says "typing" at the first keystroke, again while typing, and "stopped" when idle', () => {
    const said: boolean[] = [];
    const typing = new PhoneTyping((isTyping) => said.push(isTyping));
    typing.keystroke();
    for (let n = 0; n < 10; n++) {
      vi.advanceTimersByTime(TYPING_REPEAT_MS / 4);
      typing.keystroke();
    }
    expect(said).toEqual([true, true, true]);
    vi.advanceTimersByTime(TYPING_IDLE_MS);
    expect(said).toEqual([true, true, true, false]);
    typing.stop(); // already stopped: nothing more
    expect(said).toEqual([true, true, true, false]);
  });

  it('says "stopped" at once when the message is sent', () => {
    const said: boolean[] = [];
    const typing = new PhoneTyping((isTyping) => said.push(isTyping));
    typing.keystroke();
    typing.stop();
    vi.advanceTimersByTime(TYPING_IDLE_MS);
    expect(said).toEqual([true, false]);
  });
});
