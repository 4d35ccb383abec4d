/**
 * Composer drafts, per conversation, in localStorage: they survive a reload, an expired
 * session (the user signs in again and finds the text) and a crash of the tab.
 */
import { useCallback, useEffect, useState } from 'react';

const PREFIX = 'nexus.draft.';
/** Drafts older than this are dropped at start-up. */
const MAX_AGE_MS = 30 * 24 * 3600 * 1000;

type StoredDraft = { text: string; savedAt: number };

function key(conversationId: string): string {
  return PREFIX + conversationId;
}

export function loadDraft(conversationId: string): string {
  try {
    const raw = localStorage.getItem(key(conversationId));
    if (!raw) return '';
    const draft = JSON.parse(raw) as StoredDraft;
    return typeof draft.text === 'string' ? draft.text : '';
  } catch {
    return '';
  }
}

export function saveDraft(conversationId: string, text: string): void {
  try {
    if (text.trim() === '') localStorage.removeItem(key(conversationId));
    else localStorage.setItem(key(conversationId), JSON.stringify({ text, savedAt: Date.now() }));
  } catch {
    // Storage full or disabled: the draft lives in memory only.
  }
}

export function clearDraft(conversationId: string): void {
  saveDraft(conversationId, '');
}

export function pruneDrafts(now = Date.now()): void {
  try {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const name = localStorage.key(i);
      if (!name?.startsWith(PREFIX)) continue;
      try {
        const draft = JSON.parse(localStorage.getItem(name) ?? '') as StoredDraft;
        if (!(now - draft.savedAt < MAX_AGE_MS)) localStorage.removeItem(name);
      } catch {
        localStorage.removeItem(name);
      }
    }
  } catch {
    // Nothing to prune without storage.
  }
}

/** The draft of one conversation, saved on every change. */
export function useDraft(conversationId: string): [string, (text: string) => void] {
  const [state, setState] = useState(() => ({ id: conversationId, text: loadDraft(conversationId) }));
  // Switching conversations loads the other draft (state derived from the prop).
  const current = state.id === conversationId ? state : { id: conversationId, text: loadDraft(conversationId) };
  if (current !== state) setState(current);

  const setText = useCallback(
    (text: string) => {
      setState({ id: conversationId, text });
      saveDraft(conversationId, text);
    },
    [conversationId],
  );

  // Another tab edited the same draft.
  useEffect(() => {
    const onStorage = (event: StorageEvent) => {
      if (event.key === key(conversationId)) setState({ id: conversationId, text: loadDraft(conversationId) });
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, [conversationId]);

  return [current.text, setText];
}
