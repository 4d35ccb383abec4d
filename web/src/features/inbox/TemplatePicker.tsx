import {
  ArrowLeftIcon,
  CopyIcon,
  ExternalLinkIcon,
  FileIcon,
  FileTextIcon,
  ImageIcon,
  SearchIcon,
  SendHorizontalIcon,
  TriangleAlertIcon,
  VideoIcon,
} from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TemplateRead } from '@/client';
import { errorMessage, toastError } from '@/api/errorMessages';
import { isApiError } from '@/api/errors';
import { useSendTemplate } from '@/api/messages';
import { useTemplates } from '@/api/reference';
import { Spinner } from '@/components/Spinner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { cn } from '@/lib/utils';
import {
  fillTemplate,
  isMediaLink,
  MEDIA_KEY,
  mediaFormat,
  missingParameters,
  templateComponents,
  templateFields,
  templatePreview,
  type TemplateField,
  type TemplateValues,
} from './templates';

const key = (template: TemplateRead) => `${template.name}:${template.language}`;

function TemplateList({
  connectionId,
  onChoose,
}: {
  connectionId: string | null;
  onChoose: (template: TemplateRead) => void;
}) {
  const { t } = useTranslation();
  const templates = useTemplates(connectionId);
  const [filter, setFilter] = useState('');

  if (templates.isPending) {
    return (
      <div className="flex justify-center py-8 text-primary" role="status">
        <Spinner className="size-5" />
        <span className="sr-only">{t('common.loading')}</span>
      </div>
    );
  }
  if (templates.isError) {
    const error = templates.error;
    return (
      <div className="flex items-start gap-2 rounded-md bg-red-50 p-3 text-sm text-destructive" role="alert">
        <TriangleAlertIcon className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
        <div className="grid gap-2">
          <p>
            {isApiError(error) && error.code === 'connection_misconfigured'
              ? t('templates.needsAccount')
              : t('templates.loadFailed', { reason: errorMessage(t, error) })}
          </p>
          <Button variant="outline" size="sm" className="justify-self-start" onClick={() => void templates.refetch()}>
            {t('common.retry')}
          </Button>
        </div>
      </div>
    );
  }
  const wanted = filter.trim().toLowerCase();
  const shown = templates.data.filter(
    (template) => !wanted || `${template.name} ${template.body}`.toLowerCase().includes(wanted),
  );
  return (
    <div className="grid min-h-0 gap-3">
      {templates.data.length > 5 ? (
        <div className="relative">
          <SearchIcon
            className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground"
            aria-hidden="true"
          />
          <Input
            type="search"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
            placeholder={t('templates.filter')}
            aria-label={t('templates.filter')}
            className="pl-9"
          />
        </div>
      ) : null}
      {shown.length === 0 ? (
        <p className="py-6 text-center text-sm text-muted-foreground">
          {templates.data.length === 0 ? t('templates.none') : t('templates.noMatch')}
        </p>
      ) : (
        <ul className="grid max-h-[50dvh] gap-2 overflow-y-auto" aria-label={t('templates.list')}>
          {shown.map((template) => (
            <li key={key(template)}>
              <button
                type="button"
                disabled={!template.supported}
                onClick={() => onChoose(template)}
                className={cn(
                  'grid w-full gap-1 rounded-md border p-3 text-left text-sm outline-none hover:bg-muted focus-visible:ring-2 focus-visible:ring-ring',
                  !template.supported && 'cursor-not-allowed opacity-60 hover:bg-transparent',
                )}
              >
                <span className="flex flex-wrap items-center gap-2">
                  <span className="font-medium">{template.name}</span>
                  <Badge variant="muted">{template.language}</Badge>
                  {template.category ? (
                    <span className="text-xs text-muted-foreground">{template.category.toLowerCase()}</span>
                  ) : null}
                </span>
                <span className="line-clamp-2 text-muted-foreground">{template.body}</span>
                {template.supported ? null : (
                  <span className="text-xs text-warning">{t('templates.unsupported')}</span>
                )}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const MEDIA_ICONS = { image: ImageIcon, video: VideoIcon, document: FileIcon } as const;

/** What WhatsApp takes: a coupon code of up to 15 characters, text parameters of up to 1,024. */
function maxLength(field: TemplateField): number {
  if (field.part === 'media') return 2048;
  return field.part === 'button' && field.button.type === 'copy_code' ? 15 : 1024;
}

/** One value of the template: its label, and a hint where the value is not plain text. */
function TemplateFieldInput({
  field,
  value,
  onChange,
}: {
  field: TemplateField;
  value: string;
  onChange: (value: string) => void;
}) {
  const { t } = useTranslation();
  const input = (
    <Input
      value={value}
      maxLength={maxLength(field)}
      type={field.part === 'media' ? 'url' : 'text'}
      placeholder={field.part === 'media' ? t('templates.mediaLinkExample') : undefined}
      onChange={(event) => onChange(event.target.value)}
      data-testid={`template-field-${field.key}`}
    />
  );
  switch (field.part) {
    case 'header':
      return <Field label={t('templates.headerVariable', { name: `{{${field.name}}}` })}>{input}</Field>;
    case 'body':
      return <Field label={t('templates.variable', { name: `{{${field.name}}}` })}>{input}</Field>;
    case 'media': {
      const invalid = value.trim() !== '' && !isMediaLink(value);
      return (
        <Field
          label={t(`templates.mediaLink.${field.format}`)}
          hint={t('templates.mediaLinkHint')}
          error={invalid ? t('templates.linkInvalid') : undefined}
          className="sm:col-span-2"
        >
          {input}
        </Field>
      );
    }
    case 'button':
      return field.button.type === 'url' ? (
        <Field
          label={t('templates.buttonLink', { text: field.button.text })}
          hint={t('templates.buttonLinkHint', { url: field.button.url })}
        >
          {input}
        </Field>
      ) : (
        <Field label={t('templates.couponCode')}>{input}</Field>
      );
  }
}

/** The chosen template's values, and the message as the customer will read it. */
function TemplateForm({
  template,
  values,
  onChange,
}: {
  template: TemplateRead;
  values: TemplateValues;
  onChange: (values: TemplateValues) => void;
}) {
  const { t } = useTranslation();
  const fields = templateFields(template);
  const format = mediaFormat(template);
  const MediaIcon = format ? MEDIA_ICONS[format] : null;
  return (
    <div className="grid gap-4">
      {fields.length ? (
        <div className="grid gap-3 sm:grid-cols-2">
          {fields.map((field) => (
            <TemplateFieldInput
              key={field.key}
              field={field}
              value={values[field.key] ?? ''}
              onChange={(value) => onChange({ ...values, [field.key]: value })}
            />
          ))}
        </div>
      ) : (
        <p className="text-sm text-muted-foreground">{t('templates.noVariables')}</p>
      )}
      <figure className="grid gap-1.5">
        <figcaption className="text-xs font-medium text-muted-foreground">{t('templates.preview')}</figcaption>
        <div className="rounded-lg bg-chat p-3">
          <div className="ml-auto grid max-w-[90%] gap-1" data-testid="template-preview">
            <div className="rounded-lg bg-bubble-out px-3 py-2 text-sm whitespace-pre-wrap shadow-sm">
              {format && MediaIcon ? (
                <p className="mb-2 flex items-center gap-2 rounded-md bg-black/5 p-3 text-muted-foreground">
                  <MediaIcon className="size-5 shrink-0" aria-hidden="true" />
                  <span className="truncate">
                    {values[MEDIA_KEY]?.trim() || t(`templates.media.${format}`)}
                  </span>
                </p>
              ) : null}
              {template.header ? (
                <p className="mb-1 font-semibold">{fillTemplate(template.header, values, 'header:')}</p>
              ) : null}
              <p>{fillTemplate(template.body, values)}</p>
              {template.footer ? <p className="mt-1 text-xs text-muted-foreground">{template.footer}</p> : null}
            </div>
            {template.buttons.map((button) => (
              <div
                key={button.index}
                className="flex items-center justify-center gap-1.5 rounded-lg bg-bubble-out px-3 py-1.5 text-sm text-sky-700 shadow-sm"
              >
                {button.type === 'url' ? (
                  <ExternalLinkIcon className="size-4" aria-hidden="true" />
                ) : (
                  <CopyIcon className="size-4" aria-hidden="true" />
                )}
                {button.type === 'url' ? button.text : t('templates.copyCode')}
              </div>
            ))}
          </div>
        </div>
      </figure>
    </div>
  );
}

/**
 * Outside the Cloud API's 24-hour window WhatsApp only delivers templates Meta approved (M7):
 * the agent picks one of the number's templates, fills its variables, checks the preview and
 * sends it.
 */
export function TemplatePicker({ conversationId, connectionId }: { conversationId: string; connectionId: string | null }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<TemplateRead>();
  const [values, setValues] = useState<TemplateValues>({});
  const send = useSendTemplate(conversationId);
  const missing = chosen ? missingParameters(chosen, values) : [];

  function changeOpen(next: boolean) {
    setOpen(next);
    if (!next) {
      setChosen(undefined);
      setValues({});
    }
  }

  function submit() {
    if (!chosen || missing.length || send.isPending) return;
    send.mutate(
      {
        template_name: chosen.name,
        language: chosen.language,
        components: templateComponents(chosen, values),
        preview: templatePreview(chosen, values),
      },
      {
        onSuccess: () => changeOpen(false),
        onError: (error) => toastError(t, error, t('templates.sendFailed')),
      },
    );
  }

  return (
    <Dialog open={open} onOpenChange={changeOpen}>
      <DialogTrigger asChild>
        <Button className="flex-1" data-testid="template-picker">
          <FileTextIcon aria-hidden="true" />
          {t('templates.open')}
        </Button>
      </DialogTrigger>
      <DialogContent className="max-w-xl">
        <DialogHeader>
          <DialogTitle>{chosen ? chosen.name : t('templates.title')}</DialogTitle>
          <DialogDescription>
            {chosen ? t('templates.fillHint', { language: chosen.language }) : t('templates.description')}
          </DialogDescription>
        </DialogHeader>
        {chosen ? (
          <form
            className="grid gap-4"
            onSubmit={(event) => {
              event.preventDefault();
              submit();
            }}
          >
            <TemplateForm template={chosen} values={values} onChange={setValues} />
            <DialogFooter>
              <Button type="button" variant="outline" onClick={() => setChosen(undefined)}>
                <ArrowLeftIcon aria-hidden="true" />
                {t('templates.back')}
              </Button>
              <Button type="submit" aria-disabled={missing.length > 0 || send.isPending}>
                {send.isPending ? <Spinner /> : <SendHorizontalIcon aria-hidden="true" />}
                {t('templates.send')}
              </Button>
            </DialogFooter>
          </form>
        ) : (
          <TemplateList
            connectionId={connectionId}
            onChoose={(template) => {
              setChosen(template);
              setValues({});
            }}
          />
        )}
      </DialogContent>
    </Dialog>
  );
}
