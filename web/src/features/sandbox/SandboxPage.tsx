import {
  AlertCircleIcon,
  CheckCheckIcon,
  CheckIcon,
  ClockIcon,
  FileIcon,
  PaperclipIcon,
  SendHorizontalIcon,
  SmartphoneIcon,
  XIcon,
} from 'lucide-react';
import { useCallback, useEffect, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { Logo } from '@/components/Logo';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { toast } from '@/components/ui/toast';
import { LanguageSwitch } from '@/features/shell/LanguageSwitch';
import { cn } from '@/lib/utils';
import {
  mergeItems,
  readChat,
  sendMessage,
  sendReceipt,
  sendTyping,
  type Access,
  type ChatItem,
  type Customer,
  type MenuOption,
  type Outgoing,
} from './api';
import { PhoneTyping } from './typing';

const POLL_MS = 1_000;
/** The sandbox channel's media limit (src/nexus/channels/sandbox.py). */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

function storageKey(key: string) {
  return `nexus.sandbox.${key}`;
}

function loadCustomer(key: string): Customer | null {
  try {
    const value = JSON.parse(localStorage.getItem(storageKey(key)) ?? 'null') as Customer | null;
    return value && typeof value.phone === 'string' ? value : null;
  } catch {
    return null;
  }
}

function saveCustomer(key: string, customer: Customer) {
  try {
    localStorage.setItem(storageKey(key), JSON.stringify(customer));
  } catch {
    // Private mode: the phone is remembered for this page only.
  }
}

/** Who the phone is: a number and a name, remembered on this browser. */
function Setup({ initial, onDone }: { initial: Customer | null; onDone: (customer: Customer) => void }) {
  const { t } = useTranslation();
  const [phone, setPhone] = useState(initial?.phone ?? '+55119');
  const [name, setName] = useState(initial?.name ?? '');
  const [error, setError] = useState<string>();

  function submit(event: FormEvent) {
    event.preventDefault();
    const normalised = phone.replace(/[\s()-]/g, '');
    if (!/^\+?\d{10,15}$/.test(normalised)) {
      setError(t('sandbox.phoneInvalid'));
      return;
    }
    onDone({ phone: normalised.startsWith('+') ? normalised : `+${normalised}`, name: name.trim() });
  }

  return (
    <form onSubmit={submit} className="flex flex-1 flex-col gap-4 bg-card p-6" noValidate>
      <div className="flex flex-col items-center gap-2 py-4 text-center">
        <SmartphoneIcon className="size-10 text-primary" aria-hidden="true" />
        <h1 className="text-lg font-semibold">{t('sandbox.title')}</h1>
        <p className="text-sm text-muted-foreground">{t('sandbox.intro')}</p>
      </div>
      <Field label={t('sandbox.phone')} error={error} hint={t('sandbox.phoneHint')}>
        <Input
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          value={phone}
          onChange={(event) => {
            setPhone(event.target.value);
            setError(undefined);
          }}
          data-testid="sandbox-phone"
        />
      </Field>
      <Field label={t('sandbox.name')}>
        <Input value={name} onChange={(event) => setName(event.target.value)} autoComplete="name" data-testid="sandbox-name" />
      </Field>
      <Button type="submit" data-testid="sandbox-start">
        {t('sandbox.start')}
      </Button>
    </form>
  );
}

/** Ticks on the phone's own messages: the company got it, or an agent read it. */
function PhoneTicks({ status }: { status: string }) {
  const { t } = useTranslation();
  const read = status === 'read';
  const label = read ? t('sandbox.readByCompany') : t('sandbox.receivedByCompany');
  return (
    <span role="img" aria-label={label} title={label} data-testid="phone-status" data-status={status}>
      <CheckCheckIcon className={cn('size-4', read && 'text-sky-500')} aria-hidden="true" />
    </span>
  );
}

function Bubble({
  item,
  onPick,
  observe,
}: {
  item: ChatItem;
  onPick: (option: MenuOption) => void;
  observe: (element: HTMLElement | null) => void;
}) {
  const { t, i18n } = useTranslation();
  const mine = item.direction === 'inbound';
  const menu = Array.isArray(item.payload?.menu) ? item.payload.menu : [];
  const media = item.media;
  const image = media?.url && media.mime_type?.startsWith('image/');
  return (
    <li
      ref={mine ? undefined : observe}
      data-id={item.id}
      data-read={item.status === 'read' || undefined}
      className={cn('flex px-3', mine ? 'justify-end' : 'justify-start')}
      data-testid={mine ? 'phone-sent' : 'phone-received'}
    >
      <div
        className={cn(
          'max-w-[85%] rounded-lg px-2.5 pt-1.5 pb-1 text-sm shadow-sm',
          mine ? 'bg-bubble-out' : 'bg-card',
        )}
      >
        {!mine && item.sender_name ? (
          <p className="text-xs font-medium text-primary">{item.is_bot ? t('chat.bot') : item.sender_name}</p>
        ) : null}
        {image ? (
          <img src={media.url!} alt={media.filename ?? t('chat.types.image')} className="mb-1 max-h-60 rounded-md" />
        ) : media ? (
          <a
            href={media.url ?? undefined}
            target="_blank"
            rel="noreferrer"
            className="mb-1 flex items-center gap-2 rounded-md bg-black/5 p-2"
          >
            <FileIcon className="size-6 shrink-0 text-muted-foreground" aria-hidden="true" />
            <span className="truncate">{media.filename ?? media.mime_type}</span>
          </a>
        ) : null}
        {item.text ? <p className="break-words whitespace-pre-wrap">{item.text}</p> : null}
        <div className="mt-0.5 flex items-center justify-end gap-1 text-[11px] text-muted-foreground">
          <time dateTime={item.created_at}>
            {new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit' }).format(new Date(item.created_at))}
          </time>
          {mine ? <PhoneTicks status={item.status} /> : null}
        </div>
        {menu.length ? (
          <ul className="mt-1 flex flex-col gap-1 border-t pt-1" aria-label={t('sandbox.menu')}>
            {menu.map((option) => (
              <li key={option.id}>
                <Button
                  variant="ghost"
                  size="sm"
                  className="w-full justify-center text-primary"
                  onClick={() => onPick(option)}
                  data-testid="menu-option"
                >
                  {option.title}
                </Button>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </li>
  );
}

type Pending = { id: string; outgoing: Outgoing; failed: boolean };

function readFile(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

function Phone({ access, customer, onChangeNumber }: { access: Access; customer: Customer; onChangeNumber: () => void }) {
  const { t } = useTranslation();
  const [items, setItems] = useState<ChatItem[]>([]);
  const [pending, setPending] = useState<Pending[]>([]);
  const [text, setText] = useState('');
  const [file, setFile] = useState<{ file: File; preview: string | null } | null>(null);
  const [pollError, setPollError] = useState<string | null>(null);
  const receipts = useRef(new Map<string, 'delivered' | 'read'>());
  const observer = useRef<IntersectionObserver | null>(null);
  const bottom = useRef<HTMLLIElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const typing = useRef<PhoneTyping | null>(null);

  // "typing…" for the agents who have the chat open; a lost signal is only a courtesy lost.
  useEffect(() => {
    const signal = new PhoneTyping((isTyping) => void sendTyping(access, customer.phone, isTyping).catch(() => {}));
    typing.current = signal;
    return () => signal.stop();
  }, [access, customer.phone]);

  // Poll the chat every second from the last cursor.
  useEffect(() => {
    let cursor: string | null = null;
    let timer: number | undefined;
    const controller = new AbortController();
    async function poll() {
      try {
        const page = await readChat(access, customer.phone, cursor, controller.signal);
        cursor = page.cursor;
        setItems((current) => mergeItems(current, page.items));
        setPollError(null);
      } catch (error) {
        if (controller.signal.aborted) return;
        setPollError(error instanceof Error ? error.message : String(error));
      }
      timer = window.setTimeout(() => void poll(), POLL_MS);
    }
    void poll();
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [access, customer.phone]);

  const receipt = useCallback(
    (id: string, status: 'delivered' | 'read') => {
      const sent = receipts.current.get(id);
      if (sent === 'read' || sent === status) return;
      receipts.current.set(id, status);
      sendReceipt(access, customer.phone, id, status).catch(() => receipts.current.delete(id));
    },
    [access, customer.phone],
  );

  // Every company message that reaches the phone is "delivered"…
  useEffect(() => {
    for (const item of items) {
      if (item.direction === 'outbound' && item.status !== 'delivered' && item.status !== 'read') {
        receipt(item.id, 'delivered');
      }
    }
  }, [items, receipt]);

  // …and "read" once it is on screen while the page is visible.
  useEffect(() => {
    observer.current = new IntersectionObserver(
      (entries) => {
        if (document.visibilityState !== 'visible') return;
        for (const entry of entries) {
          const { id, read } = (entry.target as HTMLElement).dataset;
          if (entry.isIntersecting && id && !read) receipt(id, 'read');
        }
      },
      { threshold: 0.6 },
    );
    return () => observer.current?.disconnect();
  }, [receipt]);

  const observe = (element: HTMLElement | null) => {
    if (element) observer.current?.observe(element);
  };

  const count = items.length + pending.length;
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [count]);

  async function deliver(outgoing: Outgoing) {
    const id = `phone-${crypto.randomUUID()}`;
    setPending((list) => [...list, { id, outgoing, failed: false }]);
    try {
      await sendMessage(access, customer, outgoing, id);
      // It shows as soon as the chat poll returns it.
      setPending((list) => list.filter((item) => item.id !== id));
    } catch (error) {
      setPending((list) => list.map((item) => (item.id === id ? { ...item, failed: true } : item)));
      toast.error(t('sandbox.sendFailed'), error instanceof Error ? error.message : undefined);
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    typing.current?.stop();
    const body = text.trim();
    if (file) {
      const dataUrl = await readFile(file.file);
      void deliver({
        type: 'media',
        dataUrl,
        mimeType: file.file.type || 'application/octet-stream',
        filename: file.file.name,
        size: file.file.size,
        caption: body,
      });
      setFile(null);
    } else if (body) {
      void deliver({ type: 'text', text: body });
    } else {
      return;
    }
    setText('');
  }

  function choose(event: ChangeEvent<HTMLInputElement>) {
    const chosen = event.target.files?.[0];
    event.target.value = '';
    if (!chosen) return;
    if (chosen.size > MAX_FILE_BYTES) {
      toast.error(t('sandbox.fileTooLarge', { size: 16 }));
      return;
    }
    setFile({ file: chosen, preview: chosen.type.startsWith('image/') ? URL.createObjectURL(chosen) : null });
  }

  // Pending messages already in the chat (the poll won the race) are not shown twice.
  const shownIds = new Set(items.map((item) => item.id));
  const waiting = pending.filter((item) => !shownIds.has(item.id));

  return (
    <>
      <div className="flex h-14 shrink-0 items-center gap-3 bg-header px-3 text-header-foreground">
        <Logo />
        <div className="min-w-0 flex-1">
          <h1 className="truncate text-sm font-semibold">{t('sandbox.company')}</h1>
          <p className="truncate text-xs text-header-foreground/80">
            {customer.name ? `${customer.name} · ` : ''}
            {customer.phone}
          </p>
        </div>
        <Button variant="header" size="sm" onClick={onChangeNumber}>
          {t('sandbox.changeNumber')}
        </Button>
      </div>
      {pollError ? (
        <p role="alert" className="flex items-center gap-2 bg-destructive px-3 py-1.5 text-xs text-destructive-foreground">
          <AlertCircleIcon className="size-4" aria-hidden="true" />
          {t('sandbox.pollFailed', { reason: pollError })}
        </p>
      ) : null}
      <ol
        className="flex min-h-0 flex-1 flex-col gap-1.5 overflow-y-auto bg-chat py-3"
        aria-label={t('sandbox.chat')}
        aria-live="polite"
        data-testid="phone-chat"
      >
        {items.length === 0 && waiting.length === 0 ? (
          <li className="mx-auto my-8 max-w-xs rounded-lg bg-card/80 px-3 py-2 text-center text-xs text-muted-foreground">
            {t('sandbox.empty')}
          </li>
        ) : null}
        {items.map((item) => (
          <Bubble key={item.id} item={item} observe={observe} onPick={(option) => void deliver({ type: 'reply', option })} />
        ))}
        {waiting.map((item) => (
          <li key={item.id} className="flex justify-end px-3">
            <div className="max-w-[85%] rounded-lg bg-bubble-out px-2.5 py-1.5 text-sm opacity-80 shadow-sm">
              <p className="break-words whitespace-pre-wrap">
                {item.outgoing.type === 'text'
                  ? item.outgoing.text
                  : item.outgoing.type === 'reply'
                    ? item.outgoing.option.title
                    : item.outgoing.filename}
              </p>
              <span className="flex justify-end text-muted-foreground">
                {item.failed ? (
                  <AlertCircleIcon className="size-4 text-destructive" aria-label={t('sandbox.notSent')} />
                ) : (
                  <ClockIcon className="size-3.5" aria-label={t('sandbox.sending')} />
                )}
              </span>
            </div>
          </li>
        ))}
        <li ref={bottom} aria-hidden="true" />
      </ol>
      {file ? (
        <div className="flex items-center gap-2 border-t bg-muted px-3 py-2 text-sm">
          {file.preview ? (
            <img src={file.preview} alt="" className="size-12 rounded object-cover" />
          ) : (
            <FileIcon className="size-8 text-muted-foreground" aria-hidden="true" />
          )}
          <span className="min-w-0 flex-1 truncate">{file.file.name}</span>
          <Button variant="ghost" size="icon-sm" aria-label={t('sandbox.removeFile')} onClick={() => setFile(null)}>
            <XIcon aria-hidden="true" />
          </Button>
        </div>
      ) : null}
      <form onSubmit={(event) => void submit(event)} className="flex items-center gap-1 border-t bg-muted px-2 py-2">
        <input ref={fileInput} type="file" className="hidden" onChange={choose} aria-label={t('sandbox.attach')} tabIndex={-1} />
        <Button type="button" variant="ghost" size="icon" aria-label={t('sandbox.attach')} onClick={() => fileInput.current?.click()}>
          <PaperclipIcon aria-hidden="true" />
        </Button>
        <Input
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            if (event.target.value.trim()) typing.current?.keystroke();
            else typing.current?.stop();
          }}
          placeholder={file ? t('sandbox.caption') : t('sandbox.messagePlaceholder')}
          aria-label={t('sandbox.message')}
          className="flex-1 rounded-full bg-card"
          data-testid="phone-composer"
        />
        <Button type="submit" size="icon" className="rounded-full" aria-label={t('sandbox.send')} data-testid="phone-send">
          {file || text.trim() ? <SendHorizontalIcon aria-hidden="true" /> : <CheckIcon aria-hidden="true" />}
        </Button>
      </form>
    </>
  );
}

/**
 * /sandbox/:webhookKey?token=… — the customer's phone on the sandbox channel (C6): public
 * (the token is the credential), outside the agents' shell, a WhatsApp-like chat in a phone
 * frame on a laptop and the whole screen on a phone.
 */
export function SandboxPage() {
  const { t } = useTranslation();
  const { webhookKey = '' } = useParams();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [customer, setCustomer] = useState(() => loadCustomer(webhookKey));
  const [editing, setEditing] = useState(customer === null);
  const [access] = useState<Access>(() => ({ key: webhookKey, token }));

  useEffect(() => {
    document.title = `${t('sandbox.title')} · Nexus`;
  }, [t]);

  let body;
  if (!token) {
    body = (
      <div className="flex flex-1 flex-col items-center justify-center gap-2 bg-card p-6 text-center">
        <AlertCircleIcon className="size-8 text-destructive" aria-hidden="true" />
        <h1 className="font-semibold">{t('sandbox.noToken')}</h1>
        <p className="text-sm text-muted-foreground">{t('sandbox.noTokenHint')}</p>
      </div>
    );
  } else if (editing || !customer) {
    body = (
      <Setup
        initial={customer}
        onDone={(next) => {
          saveCustomer(webhookKey, next);
          setCustomer(next);
          setEditing(false);
        }}
      />
    );
  } else {
    body = <Phone key={customer.phone} access={access} customer={customer} onChangeNumber={() => setEditing(true)} />;
  }

  return (
    <div className="flex h-dvh flex-col items-center bg-background sm:justify-center sm:gap-3 sm:p-4">
      <div className="hidden items-center gap-2 sm:flex">
        <span className="text-sm text-muted-foreground">{t('sandbox.banner')}</span>
        <LanguageSwitch />
      </div>
      <main className="flex h-full w-full flex-col overflow-hidden bg-card sm:h-[min(760px,calc(100dvh-4rem))] sm:w-[390px] sm:rounded-[2rem] sm:border-8 sm:border-slate-800 sm:shadow-2xl">
        {body}
      </main>
    </div>
  );
}
