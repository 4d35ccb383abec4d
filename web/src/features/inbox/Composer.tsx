import { LockIcon, PaperclipIcon, SendHorizontalIcon, SmileIcon, StickyNoteIcon } from 'lucide-react';
import {
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type ChangeEvent,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import { useTranslation } from 'react-i18next';
import type { QuickReplyRead } from '@/client';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { Tooltip } from '@/components/ui/tooltip';
import { cn } from '@/lib/utils';
import { useDraft } from '@/stores/drafts';
import { AttachmentPreview } from './Attachment';
import { MAX_ATTACHMENT_BYTES, formatSize } from './fileSize';

const EMOJI = ['😀', '😂', '😊', '😍', '🙏', '👍', '👏', '🙌', '🎉', '❤️', '✅', '⚠️', '😢', '🤔', '👋', '📎'];
/** Stop saying "typing" after this long without a keystroke. */
const TYPING_IDLE_MS = 3_000;

export type ComposerMode = 'message' | 'note';

/** The quick replies whose shortcut starts with what follows the "/" (K3). */
export function matchQuickReplies(text: string, replies: QuickReplyRead[]): QuickReplyRead[] {
  if (!text.startsWith('/') || /\s/.test(text)) return [];
  const typed = text.slice(1).toLowerCase();
  return replies.filter((reply) => reply.shortcut.replace(/^\//, '').toLowerCase().startsWith(typed)).slice(0, 8);
}

/** What a quick reply's placeholders stand for (QUICK_REPLY_PLACEHOLDERS in
 *  src/nexus/quick_replies/schemas.py, which refuses any other). */
export type QuickReplyValues = { agent: string; customer: string };

/** A quick reply's text with {agent} and {customer} filled in. A value not known (a customer
 *  without a name) leaves its placeholder in the box, for the agent to replace. */
export function fillQuickReply(content: string, values: QuickReplyValues): string {
  return content.replace(/\{(agent|customer)\}/g, (whole, name: keyof QuickReplyValues) => values[name] || whole);
}

const UNKNOWN_VALUES: QuickReplyValues = { agent: '', customer: '' };

/**
 * The message box. Its text is the conversation's draft, saved to localStorage on every
 * keystroke: switching conversations, reloading, or being sent to the login page by an
 * expired session loses nothing. "/" opens the quick replies; the note switch writes an
 * internal note instead of a message; the paperclip picks a file to send.
 */
export function Composer({
  conversationId,
  onSend,
  onNote,
  onTyping,
  quickReplies = [],
  replyValues = UNKNOWN_VALUES,
  blocked,
  blockedAction,
}: {
  conversationId: string;
  onSend: (text: string) => Promise<unknown>;
  onNote: (text: string) => Promise<unknown>;
  onTyping?: (isTyping: boolean) => void;
  quickReplies?: QuickReplyRead[];
  /** The names a picked quick reply's placeholders are replaced with. */
  replyValues?: QuickReplyValues;
  /** Why messages cannot be sent now (the 24-hour window closed); notes still can. */
  blocked?: string;
  /** What can be sent instead while messages are blocked (the template picker): it takes
   *  the place of the message box. */
  blockedAction?: ReactNode;
}) {
  const { t } = useTranslation();
  const [text, setText] = useDraft(conversationId);
  const [mode, setMode] = useState<ComposerMode>('message');
  const [highlight, setHighlight] = useState(0);
  const [sending, setSending] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  // The "typing" timer and the callback of the conversation it was started in.
  const typing = useRef<{ timer: number | undefined; notify: typeof onTyping }>({ timer: undefined, notify: onTyping });
  const listId = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  // Tied to its conversation: switching conversations drops a file picked for another.
  const [picked, setPicked] = useState<{ conversationId: string; file?: File; error?: string }>();
  const attachment = picked?.conversationId === conversationId ? picked : undefined;

  const suggestions = mode === 'message' ? matchQuickReplies(text, quickReplies) : [];
  const messageBlocked = mode === 'message' && Boolean(blocked);

  // Grow with the text, up to a limit.
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    element.style.height = 'auto';
    element.style.height = `${Math.min(element.scrollHeight, 160)}px`;
  }, [text]);

  const stopTyping = useCallback(() => {
    const state = typing.current;
    if (state.timer === undefined) return;
    window.clearTimeout(state.timer);
    state.timer = undefined;
    state.notify?.(false);
  }, []);

  // Cleanups run before the next effects: leaving a conversation ends "typing" there, with
  // that conversation's callback, before the new one's is taken.
  useEffect(() => stopTyping, [conversationId, stopTyping]);
  useEffect(() => {
    typing.current.notify = onTyping;
  }, [onTyping]);

  function change(value: string) {
    setText(value);
    setHighlight(0);
    const state = typing.current;
    if (mode !== 'message' || !state.notify) return;
    if (state.timer === undefined) state.notify(true);
    window.clearTimeout(state.timer);
    state.timer = window.setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function pick(reply: QuickReplyRead) {
    setText(fillQuickReply(reply.content, replyValues));
    ref.current?.focus();
  }

  async function send() {
    const body = text.trim();
    if (!body || sending || messageBlocked) return;
    setSending(true);
    try {
      await (mode === 'note' ? onNote(body) : onSend(body));
      setText('');
      stopTyping();
    } catch {
      // The caller reported the error; the text stays for another try.
    } finally {
      setSending(false);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (suggestions.length) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setHighlight((highlight + step + suggestions.length) % suggestions.length);
        return;
      }
      if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey) {
        event.preventDefault();
        pick(suggestions[highlight] ?? suggestions[0]!);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        setText(text + ' ');
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  }

  function pickFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = ''; // picking the same file again still fires a change
    if (!file) return;
    if (file.size > MAX_ATTACHMENT_BYTES) {
      setPicked({
        conversationId,
        error: t('composer.fileTooLarge', { size: formatSize(file.size), max: formatSize(MAX_ATTACHMENT_BYTES) }),
      });
      return;
    }
    setPicked({ conversationId, file });
  }

  function insertEmoji(emoji: string) {
    const element = ref.current;
    const start = element?.selectionStart ?? text.length;
    const end = element?.selectionEnd ?? text.length;
    change(text.slice(0, start) + emoji + text.slice(end));
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(start + emoji.length, start + emoji.length);
    });
  }

  const canSend = text.trim().length > 0 && !sending && !messageBlocked;
  const note = mode === 'note';
  const replaced = messageBlocked && Boolean(blockedAction);

  return (
    <div className={cn('relative border-t px-3 py-2', note ? 'bg-amber-50' : 'bg-muted')}>
      {suggestions.length ? (
        <ul
          id={listId}
          role="listbox"
          aria-label={t('composer.quickReplies')}
          className="absolute right-3 bottom-full left-3 mb-1 max-h-64 overflow-y-auto rounded-lg border bg-popover p-1 shadow-lg"
        >
          {suggestions.map((reply, index) => (
            <li
              key={reply.id}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === highlight}
              className={cn(
                'cursor-pointer rounded-md px-2 py-1.5 text-sm',
                index === highlight && 'bg-accent text-accent-foreground',
              )}
              onMouseDown={(event) => {
                event.preventDefault();
                pick(reply);
              }}
            >
              <span className="font-medium">/{reply.shortcut.replace(/^\//, '')}</span>
              <span className="ml-2 text-muted-foreground">{reply.content}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {messageBlocked ? (
        <p className="mb-2 flex items-center gap-2 rounded-md bg-amber-100 px-2 py-1.5 text-xs text-amber-900" role="note">
          <LockIcon className="size-3.5 shrink-0" aria-hidden="true" />
          {blocked}
        </p>
      ) : null}
      {attachment?.file ? (
        <AttachmentPreview conversationId={conversationId} file={attachment.file} onClose={() => setPicked(undefined)} />
      ) : null}
      {attachment?.error ? (
        <p role="alert" className="mb-2 text-xs text-destructive" data-testid="attachment-error">
          {attachment.error}
        </p>
      ) : null}
      <div className="flex items-end gap-1">
        {replaced ? null : (
          <>
            <DropdownMenu>
              <Tooltip content={t('composer.emoji')}>
                <DropdownMenuTrigger asChild>
                  <Button variant="ghost" size="icon" aria-label={t('composer.emoji')}>
                    <SmileIcon aria-hidden="true" />
                  </Button>
                </DropdownMenuTrigger>
              </Tooltip>
              <DropdownMenuContent align="start" className="grid grid-cols-8 gap-0.5 p-1">
                {EMOJI.map((emoji) => (
                  <DropdownMenuItem key={emoji} className="justify-center p-1 text-lg" onSelect={() => insertEmoji(emoji)}>
                    {emoji}
                  </DropdownMenuItem>
                ))}
              </DropdownMenuContent>
            </DropdownMenu>
            <Tooltip content={note ? t('composer.attachInNote') : t('composer.attach')}>
              <Button
                variant="ghost"
                size="icon"
                aria-label={t('composer.attach')}
                aria-disabled={note || messageBlocked}
                onClick={() => {
                  if (!note && !messageBlocked) fileInput.current?.click();
                }}
                data-testid="composer-attach"
              >
                <PaperclipIcon aria-hidden="true" />
              </Button>
            </Tooltip>
            <input
              ref={fileInput}
              type="file"
              className="hidden"
              onChange={pickFile}
              tabIndex={-1}
              aria-hidden="true"
              data-testid="composer-file"
            />
          </>
        )}
        <Tooltip content={note ? t('composer.noteModeOn') : t('composer.noteModeOff')}>
          <Button
            variant="ghost"
            size="icon"
            aria-label={t('composer.noteMode')}
            aria-pressed={note}
            className={cn(note && 'bg-amber-200 text-amber-900 hover:bg-amber-200')}
            onClick={() => {
              stopTyping();
              setMode(note ? 'message' : 'note');
              // After the render: the message box may only now appear (in place of the
              // blocked action).
              requestAnimationFrame(() => ref.current?.focus());
            }}
            data-testid="composer-note-mode"
          >
            <StickyNoteIcon aria-hidden="true" />
          </Button>
        </Tooltip>
        {replaced ? (
          <div className="flex min-h-10 flex-1 items-center">{blockedAction}</div>
        ) : (
          <>
            <label htmlFor={`composer-${conversationId}`} className="sr-only">
              {note ? t('composer.noteLabel') : t('chat.composerLabel')}
            </label>
            <textarea
              id={`composer-${conversationId}`}
              ref={ref}
              rows={1}
              value={text}
              onChange={(event) => change(event.target.value)}
              onKeyDown={onKeyDown}
              onBlur={stopTyping}
              placeholder={note ? t('composer.notePlaceholder') : t('chat.composerPlaceholder')}
              role={suggestions.length ? 'combobox' : undefined}
              aria-expanded={suggestions.length ? true : undefined}
              aria-controls={suggestions.length ? listId : undefined}
              aria-activedescendant={suggestions.length ? `${listId}-${highlight}` : undefined}
              className={cn(
                'max-h-40 min-h-10 flex-1 resize-none rounded-lg border border-transparent bg-card px-3 py-2.5 text-sm leading-5 focus-visible:border-ring focus-visible:outline-none',
                note && 'border-amber-300',
              )}
              data-testid="composer"
            />
            <Button
              size="icon"
              className={cn('rounded-full', note && 'bg-amber-600 hover:bg-amber-600/90')}
              aria-label={note ? t('composer.addNote') : t('chat.send')}
              aria-disabled={!canSend}
              onClick={() => void send()}
              data-testid="composer-send"
            >
              {note ? <StickyNoteIcon aria-hidden="true" /> : <SendHorizontalIcon aria-hidden="true" />}
            </Button>
          </>
        )}
      </div>
    </div>
  );
}
