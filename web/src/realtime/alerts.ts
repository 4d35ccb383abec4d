/**
 * Sound and desktop notifications for what needs the agent: a customer's message in one of
 * their conversations (unless they are looking at it), a conversation assigned or transferred
 * to them, and `notification` events. Each is switchable in the header (stores/preferences).
 */
import i18n from 'i18next';
import { toast } from '@/components/ui/toast';
import { usePreferences } from '@/stores/preferences';
import type { RealtimeEvent } from './events';

export type Alert = { title: string; body: string; conversationId: string | null; toast: boolean };

export type AlertContext = {
  userId: string | null;
  /** The conversation open in this tab, and whether the tab is visible. */
  openConversationId: string | null;
  visible: boolean;
};

export function alertFor(event: RealtimeEvent, context: AlertContext): Alert | null {
  const t = i18n.t.bind(i18n);
  switch (event.name) {
    case 'message-received': {
      const { conversation, message } = event.data;
      const mine = conversation.assignee_id === context.userId;
      const queued = conversation.status === 'waiting' && !conversation.assignee_id;
      const watching = context.visible && context.openConversationId === conversation.id;
      if (!(mine || queued) || watching) return null;
      return {
        title: t('realtime.newMessage'),
        body: message.content ?? t(`chat.types.${message.type}`),
        conversationId: conversation.id,
        toast: false,
      };
    }
    case 'conversation-assigned':
    case 'conversation-transferred': {
      const { conversation, actor_id: actorId } = event.data;
      if (!context.userId || conversation.assignee_id !== context.userId || actorId === context.userId) return null;
      const previous =
        event.name === 'conversation-assigned' ? event.data.previous_assignee_id : event.data.from_assignee_id;
      if (previous === context.userId) return null;
      return {
        title: t('realtime.assignedToYou'),
        body: conversation.last_message_preview ?? '',
        conversationId: conversation.id,
        toast: true,
      };
    }
    case 'notification':
      return {
        title: event.data.title,
        body: event.data.body ?? '',
        conversationId: event.data.conversation_id,
        toast: true,
      };
    default:
      return null;
  }
}

let audio: AudioContext | null = null;

/** A short two-tone chime, synthesised: no sound file in the bundle. */
function chime(): void {
  try {
    audio ??= new AudioContext();
    const start = audio.currentTime;
    for (const [index, frequency] of [880, 1320].entries()) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + index * 0.12);
      gain.gain.exponentialRampToValueAtTime(0.2, start + index * 0.12 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + index * 0.12 + 0.25);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start + index * 0.12);
      oscillator.stop(start + index * 0.12 + 0.3);
    }
  } catch {
    // No audio (autoplay policy before any click, or no device): the alert stays visual.
  }
}

export function raise(alert: Alert, open: (conversationId: string) => void): void {
  const { sound, desktopNotifications } = usePreferences.getState();
  if (sound) chime();
  if (alert.toast) toast.show(alert.title, alert.body || undefined);
  const hidden = typeof document !== 'undefined' && document.visibilityState === 'hidden';
  if (
    desktopNotifications &&
    hidden &&
    typeof Notification !== 'undefined' &&
    Notification.permission === 'granted'
  ) {
    const notification = new Notification(alert.title, {
      body: alert.body,
      tag: alert.conversationId ?? undefined,
    });
    notification.onclick = () => {
      window.focus();
      if (alert.conversationId) open(alert.conversationId);
      notification.close();
    };
  }
}
