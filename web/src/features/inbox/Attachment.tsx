import { FileIcon, XIcon } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage, fieldMessages } from '@/api/errorMessages';
import { useSendMedia } from '@/api/messages';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { formatSize } from './fileSize';

/**
 * A picked file before it is sent: a thumbnail (images) or its name and size, an optional
 * caption, and the server's refusal (too large for this channel, unsupported type) in the
 * API's words.
 */
export function AttachmentPreview({
  conversationId,
  file,
  onClose,
}: {
  conversationId: string;
  file: File;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const send = useSendMedia(conversationId);
  const [caption, setCaption] = useState('');
  const [error, setError] = useState<string>();
  const [thumbnail, setThumbnail] = useState<string>();

  useEffect(() => {
    if (!file.type.startsWith('image/')) return;
    const url = URL.createObjectURL(file);
    setThumbnail(url);
    return () => {
      URL.revokeObjectURL(url);
      setThumbnail(undefined);
    };
  }, [file]);

  async function submit() {
    setError(undefined);
    try {
      await send.mutateAsync({ file, caption: caption.trim() });
      onClose();
    } catch (failure) {
      const fields = fieldMessages(t, failure);
      setError(fields.file ?? fields.caption ?? errorMessage(t, failure));
    }
  }

  return (
    <div className="mb-2 flex flex-col gap-2 rounded-lg border bg-card p-2" data-testid="attachment-preview">
      <div className="flex items-center gap-3">
        {thumbnail ? (
          <img src={thumbnail} alt="" className="size-16 shrink-0 rounded-md object-cover" />
        ) : (
          <FileIcon className="size-10 shrink-0 text-muted-foreground" aria-hidden="true" />
        )}
        <div className="min-w-0 flex-1">
          <p className="truncate text-sm font-medium">{file.name}</p>
          <p className="text-xs text-muted-foreground">{formatSize(file.size)}</p>
        </div>
        <Button variant="ghost" size="icon" aria-label={t('composer.attachCancel')} onClick={onClose}>
          <XIcon aria-hidden="true" />
        </Button>
      </div>
      <div className="flex items-center gap-2">
        <Input
          value={caption}
          onChange={(event) => setCaption(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.nativeEvent.isComposing) {
              event.preventDefault();
              void submit();
            }
          }}
          placeholder={t('composer.captionPlaceholder')}
          aria-label={t('composer.caption')}
          maxLength={1024}
        />
        <Button onClick={() => void submit()} disabled={send.isPending} data-testid="attachment-send">
          {send.isPending ? t('composer.attachSending') : t('chat.send')}
        </Button>
      </div>
      {error ? (
        <p role="alert" className="text-xs text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}
