import {
  AlertCircleIcon,
  BanIcon,
  BotIcon,
  CheckCheckIcon,
  CheckIcon,
  ClockIcon,
  FileIcon,
  FileVideoIcon,
  ImageIcon,
  MapPinIcon,
  MicIcon,
  RotateCwIcon,
  StickyNoteIcon,
} from 'lucide-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { MessageRead, NoteRead } from '@/client';
import { Button } from '@/components/ui/button';
import { cn } from '@/lib/utils';
import { formatSize } from './fileSize';
import { useMediaUrl } from './useMediaUrl';

const time = (iso: string, language: string) =>
  new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The status ticks of an outbound message, as WhatsApp draws them. */
export function StatusTicks({ status }: { status: MessageRead['status'] }) {
  const { t } = useTranslation();
  const label = t(`chat.statuses.${status}`);
  const common = 'size-4 shrink-0';
  let icon: ReactNode;
  if (status === 'pending' || status === 'sending' || status === 'unknown') {
    icon = <ClockIcon className={cn(common, 'size-3.5')} aria-hidden="true" />;
  } else if (status === 'sent') {
    icon = <CheckIcon className={common} aria-hidden="true" />;
  } else if (status === 'delivered') {
    icon = <CheckCheckIcon className={common} aria-hidden="true" />;
  } else if (status === 'read') {
    icon = <CheckCheckIcon className={cn(common, 'text-sky-500')} aria-hidden="true" />;
  } else if (status === 'failed') {
    icon = <AlertCircleIcon className={cn(common, 'text-destructive')} aria-hidden="true" />;
  } else {
    return null;
  }
  return (
    <span role="img" aria-label={label} title={label} data-testid="message-status" data-status={status}>
      {icon}
    </span>
  );
}

const MEDIA_ICONS = {
  image: ImageIcon,
  sticker: ImageIcon,
  video: FileVideoIcon,
  audio: MicIcon,
  voice: MicIcon,
} as const;

/** Files a new tab may show as they are: an opened SVG could run scripts on our origin. */
const OPENABLE_IMAGE = /^image\/(jpeg|png|gif|webp|bmp|avif)$/;

/**
 * A media attachment: the picture, player or download link once the file is fetched (see
 * useMediaUrl), and meanwhile, or when it is not in our storage, what the file is (kind,
 * name, size).
 */
function MediaCard({ message }: { message: MessageRead }) {
  const { t } = useTranslation();
  const media = message.media ?? {};
  const mimeType = str(media.mime_type);
  const { ref, url, failed } = useMediaUrl(message.id, media.state === 'stored');
  const Icon = MEDIA_ICONS[message.type as keyof typeof MEDIA_ICONS] ?? FileIcon;
  const name = str(media.filename) ?? t(`chat.types.${message.type}`);
  const size = formatSize(media.size);
  const card = (
    <div className="flex items-center gap-3 rounded-md bg-black/5 p-2">
      <Icon className="size-8 shrink-0 text-muted-foreground" aria-hidden="true" />
      <div className="min-w-0">
        <p className="truncate text-sm font-medium">{name}</p>
        <p className="text-xs text-muted-foreground">
          {[mimeType, size].filter(Boolean).join(' · ')}
          {media.state === 'failed' || failed ? ` · ${t('chat.mediaFailed')}` : ''}
        </p>
      </div>
    </div>
  );
  let shown: ReactNode = card;
  if (url && (message.type === 'image' || message.type === 'sticker')) {
    const image = <img src={url} alt={name} className="max-h-72 rounded-md object-contain" />;
    shown =
      mimeType && OPENABLE_IMAGE.test(mimeType) ? (
        <a href={url} target="_blank" rel="noreferrer" aria-label={t('chat.openImage', { name })}>
          {image}
        </a>
      ) : (
        image
      );
  } else if (url && message.type === 'video') {
    // eslint-disable-next-line jsx-a11y/media-has-caption -- WhatsApp media carries no caption tracks
    shown = <video src={url} controls preload="metadata" className="max-h-72 w-full rounded-md" aria-label={name} />;
  } else if (url && (message.type === 'audio' || message.type === 'voice')) {
    // eslint-disable-next-line jsx-a11y/media-has-caption -- WhatsApp media carries no caption tracks
    shown = <audio src={url} controls preload="metadata" className="w-64 max-w-full" aria-label={name} />;
  } else if (url) {
    shown = (
      <a href={url} download={str(media.filename) ?? ''} className="block hover:underline" aria-label={t('chat.download', { name })}>
        {card}
      </a>
    );
  }
  return (
    <div ref={ref} className="mb-1" data-testid="message-media">
      {shown}
    </div>
  );
}

function LocationCard({ location }: { location: Record<string, unknown> }) {
  const { t } = useTranslation();
  const { latitude, longitude } = location;
  if (typeof latitude !== 'number' || typeof longitude !== 'number') return null;
  const label = str(location.name) ?? str(location.address) ?? `${latitude.toFixed(5)}, ${longitude.toFixed(5)}`;
  return (
    <a
      href={`https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=16/${latitude}/${longitude}`}
      target="_blank"
      rel="noreferrer"
      className="mb-1 flex items-center gap-2 rounded-md bg-black/5 p-2 text-sm hover:underline"
    >
      <MapPinIcon className="size-6 shrink-0 text-destructive" aria-hidden="true" />
      <span>
        <span className="sr-only">{t('chat.types.location')}: </span>
        {label}
      </span>
    </a>
  );
}

export function MessageBubble({
  message,
  quoted,
  onResend,
  resending,
  highlighted = false,
}: {
  message: MessageRead;
  /** The message this one answers, when it is loaded. */
  quoted: MessageRead | undefined;
  onResend: (id: string) => void;
  resending: boolean;
  /** Marked for a moment: the message a search hit opened. */
  highlighted?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const outbound = message.direction === 'outbound';
  const payload = message.payload;
  const location = isRecord(payload.location) ? payload.location : null;
  const reactions = isRecord(payload.reactions) ? Object.values(payload.reactions).filter((v) => typeof v === 'string') : [];
  const menu = Array.isArray(payload.menu) ? payload.menu.filter(isRecord) : [];
  const hasMedia = Boolean(message.media) && message.type !== 'location';
  // Changed after it was sent (message-updated): kept, and marked, for the agent's context.
  const edited = Array.isArray(payload.edits) && payload.edits.length > 0;
  const revoked = payload.revoked === true;

  return (
    <div className={cn('flex px-3 sm:px-[6%]', outbound ? 'justify-end' : 'justify-start', reactions.length && 'mb-3')}>
      <div
        className={cn(
          'relative max-w-[85%] rounded-lg px-2.5 pt-1.5 pb-1 text-sm shadow-sm sm:max-w-[65%]',
          outbound ? 'bg-bubble-out' : 'bg-card',
          message.status === 'failed' && 'ring-1 ring-destructive/60',
          highlighted && 'ring-2 ring-amber-400 transition-shadow',
        )}
        data-testid="message"
        data-message-id={message.id}
        data-highlighted={highlighted || undefined}
        data-direction={message.direction}
      >
        {message.is_bot ? (
          <p className="mb-0.5 flex items-center gap-1 text-xs font-medium text-primary">
            <BotIcon className="size-3.5" aria-hidden="true" />
            {t('chat.bot')}
          </p>
        ) : null}
        {message.reply_to_id ? (
          <div className="mb-1 rounded border-l-4 border-primary bg-black/5 px-2 py-1 text-xs text-muted-foreground">
            <span className="sr-only">{t('chat.replyTo')}: </span>
            {quoted ? (quoted.content ?? t(`chat.types.${quoted.type}`)) : t('chat.quotedUnavailable')}
          </div>
        ) : null}
        {revoked ? (
          <p className="mb-0.5 flex items-center gap-1 text-xs italic text-muted-foreground" data-testid="message-revoked">
            <BanIcon className="size-3.5" aria-hidden="true" />
            {t('chat.revoked')}
          </p>
        ) : null}
        {hasMedia ? <MediaCard message={message} /> : null}
        {location ? <LocationCard location={location} /> : null}
        {message.content ? (
          <p className={cn('break-words whitespace-pre-wrap', revoked && 'text-muted-foreground line-through')}>
            {message.content}
          </p>
        ) : null}
        {menu.length ? (
          <ol className="mt-1 flex flex-col gap-0.5 border-t pt-1 text-xs text-muted-foreground">
            {menu.map((option, index) => (
              <li key={str(option.id) ?? index}>{str(option.title)}</li>
            ))}
          </ol>
        ) : null}
        <div className="mt-0.5 flex items-center justify-end gap-1 text-[11px] text-muted-foreground">
          {edited ? <span data-testid="message-edited">{t('chat.edited')}</span> : null}
          <time dateTime={message.created_at}>{time(message.created_at, i18n.language)}</time>
          {outbound ? <StatusTicks status={message.status} /> : null}
        </div>
        {message.status === 'failed' ? (
          <div className="mt-1 flex items-center gap-2 border-t border-destructive/20 pt-1 text-xs text-destructive">
            <span className="min-w-0 flex-1">{message.error_message ?? t('chat.failedUnknown')}</span>
            <Button
              size="sm"
              variant="outline"
              className="h-7"
              onClick={() => onResend(message.id)}
              disabled={resending}
            >
              <RotateCwIcon aria-hidden="true" />
              {t('chat.resend')}
            </Button>
          </div>
        ) : null}
        {reactions.length ? (
          <span
            className="absolute -bottom-3 right-2 rounded-full bg-card px-1.5 text-sm shadow"
            aria-label={t('chat.reactions', { reactions: reactions.join(' ') })}
          >
            {reactions.join('')}
          </span>
        ) : null}
      </div>
    </div>
  );
}

/** An internal note, inline in the chat but unmistakably not a message to the customer. */
export function NoteBubble({ note, author }: { note: NoteRead; author: string | undefined }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="flex justify-center px-3 sm:px-[10%]" data-testid="note">
      <div className="w-full max-w-xl rounded-lg border border-amber-300 bg-amber-50 px-3 py-1.5 text-sm text-amber-950 shadow-sm">
        <p className="mb-0.5 flex items-center gap-1 text-xs font-medium text-amber-800">
          <StickyNoteIcon className="size-3.5" aria-hidden="true" />
          {t('chat.note', { author: author ?? t('chat.someone') })}
        </p>
        <p className="break-words whitespace-pre-wrap">{note.body}</p>
        <p className="text-right text-[11px] text-amber-800/80">
          <time dateTime={note.created_at}>{time(note.created_at, i18n.language)}</time>
        </p>
      </div>
    </div>
  );
}
