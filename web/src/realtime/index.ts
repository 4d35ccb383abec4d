/**
 * Starts the tab's real-time connection while someone is signed in, and gives components the
 * few things they do with it (follow a conversation, typing, heartbeats).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useNavigate, useParams } from 'react-router';
import { endSession, refreshSession } from '@/auth/session';
import { useAuth } from '@/auth/store';
import { RealtimeConnection } from './connection';

let current: RealtimeConnection | null = null;
/** Conversations open in this tab; the connection may start after a chat mounts. */
const followed = new Set<string>();
const openConversation: { id: string | null } = { id: null };

export function realtime(): RealtimeConnection | null {
  return current;
}

/** Mount once, in the signed-in shell. */
export function useRealtimeConnection(): void {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const userId = useAuth((state) => state.user?.id);
  const { conversationId } = useParams();

  useEffect(() => {
    // Read by the alert logic on each event, without restarting the socket on navigation.
    openConversation.id = conversationId ?? null;
  }, [conversationId]);

  useEffect(() => {
    if (!userId) return;
    const connection = new RealtimeConnection({
      queryClient,
      getToken: () => useAuth.getState().accessToken,
      refresh: refreshSession,
      signOut: () => endSession('expired'),
      alertContext: () => ({
        userId,
        openConversationId: openConversation.id,
        visible: document.visibilityState === 'visible',
      }),
      openConversation: (id) => void navigate(`/inbox/${id}`),
      rooms: () => followed,
      onMyPresence: (presence) => {
        const user = useAuth.getState().user;
        if (user && user.presence !== presence) useAuth.getState().setUser({ ...user, presence });
      },
    });
    current = connection;
    void connection.start();
    return () => {
      connection.stop();
      if (current === connection) current = null;
    };
  }, [userId, queryClient, navigate]);
}

/** Join the conversation's room while it is open (typing indicators, its events). */
export function useConversationRoom(conversationId: string): void {
  useEffect(() => {
    followed.add(conversationId);
    current?.join(conversationId);
    return () => {
      followed.delete(conversationId);
      current?.leave(conversationId);
    };
  }, [conversationId]);
}
