import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TypingEvent } from './events';
import { TYPING_TTL_MS, useTyping } from './typing';

const customer = (isTyping: boolean, conversationId = 'c1'): TypingEvent => ({
  conversation_id: conversationId,
  sender: 'customer',
  user_id: null,
  name: null,
  is_typing: isTyping,
});
const agent = (isTyping: boolean): TypingEvent => ({
  conversation_id: 'c1',
  sender: 'agent',
  user_id: 'u1',
  name: 'Bia',
  is_typing: isTyping,
});
const typist = (conversationId = 'c1') => useTyping.getState().byConversation[conversationId];

beforeEach(() => {
  vi.useFakeTimers();
  useTyping.setState({ byConversation: {} });
});
afterEach(() => vi.useRealTimers());

describe('typing', () => {
  it('shows the customer typing until they stop', () => {
    useTyping.getState().receive(customer(true));
    expect(typist()).toMatchObject({ sender: 'customer', name: null });
    useTyping.getState().receive(customer(false));
    expect(typist()).toBeUndefined();
  });

  it('fades when the "stopped" never comes, and a repeated signal keeps it', () => {
    useTyping.getState().receive(customer(true));
    vi.advanceTimersByTime(TYPING_TTL_MS.customer - 1_000);
    useTyping.getState().receive(customer(true)); // the phone repeats it while typing
    vi.advanceTimersByTime(TYPING_TTL_MS.customer - 1_000);
    expect(typist()).toBeDefined();
    vi.advanceTimersByTime(1_000);
    expect(typist()).toBeUndefined();
  });

  it('gives an agent, who says "typing" once per burst, longer before fading', () => {
    useTyping.getState().receive(agent(true));
    useTyping.getState().receive(customer(true, 'c2'));
    vi.advanceTimersByTime(TYPING_TTL_MS.customer);
    expect(typist('c2')).toBeUndefined();
    expect(typist()).toMatchObject({ sender: 'agent', name: 'Bia' });
    vi.advanceTimersByTime(TYPING_TTL_MS.agent - TYPING_TTL_MS.customer);
    expect(typist()).toBeUndefined();
  });

  it("ends the customer's typing when their message arrives, not an agent's", () => {
    useTyping.getState().receive(customer(true));
    useTyping.getState().stop('c1', 'customer');
    expect(typist()).toBeUndefined();
    useTyping.getState().receive(agent(true));
    useTyping.getState().stop('c1', 'customer');
    expect(typist()).toMatchObject({ sender: 'agent' });
  });
});
