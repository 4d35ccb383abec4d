import { SettingsIcon } from 'lucide-react';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { SettingsRead } from '@/client';
import { errorMessage, toastError } from '@/api/errorMessages';
import { useCompanySettings } from '@/api/reference';
import { useUpdateSettings } from '@/api/settings';
import { EmptyState } from '@/components/EmptyState';
import { Spinner } from '@/components/Spinner';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { Switch } from '@/components/ui/switch';
import { toast } from '@/components/ui/toast';
import { AdminPage } from './AdminPage';
import { BusinessHoursEditor } from './BusinessHoursEditor';
import { errorsByPath } from './formErrors';
import {
  BOT_TEXTS,
  formFromSettings,
  NUMBER_KEYS,
  NUMBER_RULES,
  PLACEHOLDERS,
  settingsPatch,
  validateSettings,
  type SettingsForm,
} from './settingsForm';

function Section({ title, description, children }: { title: string; description?: string; children: ReactNode }) {
  const id = `settings-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <section aria-labelledby={id} className="grid gap-4 rounded-lg border bg-card p-4 sm:p-5">
      <div>
        <h2 id={id} className="text-base font-semibold">
          {title}
        </h2>
        {description ? <p className="text-sm text-muted-foreground">{description}</p> : null}
      </div>
      {children}
    </section>
  );
}

function SettingsEditor({ settings }: { settings: SettingsRead }) {
  const { t } = useTranslation();
  const saved = formFromSettings(settings);
  const [form, setForm] = useState<SettingsForm>(saved);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const update = useUpdateSettings();
  const body = settingsPatch(saved, form);
  const dirty = Object.keys(body).length > 0;

  function set<K extends keyof SettingsForm>(key: K, value: SettingsForm[K]) {
    setForm((current) => ({ ...current, [key]: value }));
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = validateSettings(form, {
      required: t('validation.required'),
      tooShort: t('validation.tooShort'),
      tooLong: t('validation.tooLong'),
      range: t('validation.range'),
      unbalanced: t('admin.settings.unbalanced'),
      unknown: (names) => t('admin.settings.unknownPlaceholder', { names: names.map((name) => `{${name}}`).join(', ') }),
    });
    setErrors(found);
    if (Object.keys(found).length > 0) {
      toast.error(t('admin.settings.fixErrors'));
      // Take the keyboard to the first field that needs fixing.
      window.requestAnimationFrame(() => {
        const first = document.querySelector<HTMLElement>('[aria-invalid="true"]');
        first?.focus({ preventScroll: true });
        // Centred, so the sticky save bar does not cover it.
        first?.scrollIntoView({ block: 'center' });
      });
      return;
    }
    try {
      const next = await update.mutateAsync(body);
      setForm(formFromSettings(next));
      toast.success(t('admin.settings.saved'));
    } catch (error) {
      const byPath = errorsByPath(t, error);
      // Schedule errors point inside it ("business_hours.mon.0.1"): show them on the editor.
      for (const [path, message] of Object.entries(byPath)) {
        if (path.startsWith('business_hours.')) byPath.business_hours ??= message;
      }
      setErrors(byPath);
      toastError(t, error, t('admin.settings.saveFailed'));
    }
  }

  const placeholders = PLACEHOLDERS.map((name) => `{${name}}`).join(' ');

  return (
    <form className="grid gap-4" onSubmit={onSubmit} noValidate aria-label={t('admin.settings.title')}>
      {/* Always in reach on a long page; at the top, where toasts (bottom right) never cover it. */}
      <div className="sticky top-0 z-10 -mx-4 -mt-2 flex items-center justify-end gap-2 border-b bg-background/95 px-4 py-2 backdrop-blur sm:-mx-6 sm:px-6">
        <span className="mr-auto text-sm text-muted-foreground" aria-live="polite">
          {dirty ? t('admin.settings.unsaved') : t('admin.settings.upToDate')}
        </span>
        <Button type="button" variant="outline" disabled={!dirty || update.isPending} onClick={() => { setForm(saved); setErrors({}); }}>
          {t('admin.settings.discard')}
        </Button>
        <Button type="submit" disabled={!dirty || update.isPending}>
          {update.isPending ? <Spinner /> : null}
          {t('common.save')}
        </Button>
      </div>
      <Section title={t('admin.settings.company')}>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t('admin.settings.name')} error={errors.name}>
            <Input value={form.name} onChange={(event) => set('name', event.target.value)} />
          </Field>
          <Field label={t('admin.settings.timezone')} error={errors.timezone} hint={t('admin.settings.timezoneHint')}>
            <Input value={form.timezone} placeholder="America/Sao_Paulo" onChange={(event) => set('timezone', event.target.value)} />
          </Field>
        </div>
      </Section>

      <Section title={t('admin.settings.botTexts')} description={t('admin.settings.botTextsHint', { placeholders })}>
        <div className="grid gap-4 lg:grid-cols-2">
          {BOT_TEXTS.map((key) => (
            <Field
              key={key}
              label={t(`admin.settings.texts.${key}`)}
              hint={t(`admin.settings.textHints.${key}`)}
              error={errors[`bot.${key}`]}
            >
              <Textarea
                rows={key === 'menu_prompt' ? 4 : 3}
                value={form.bot[key]}
                onChange={(event) => set('bot', { ...form.bot, [key]: event.target.value })}
              />
            </Field>
          ))}
        </div>
      </Section>

      <Section title={t('admin.settings.rules')}>
        <div className="grid gap-3 sm:grid-cols-2">
          <label className="flex items-center justify-between gap-3 text-sm">
            <span>
              {t('admin.settings.requireClosingReason')}
              <span className="block text-xs text-muted-foreground">{t('admin.settings.requireClosingReasonHint')}</span>
            </span>
            <Switch
              checked={form.requireClosingReason}
              onCheckedChange={(on) => set('requireClosingReason', on)}
              aria-label={t('admin.settings.requireClosingReason')}
            />
          </label>
          <label className="flex items-center justify-between gap-3 text-sm">
            <span>
              {t('admin.settings.sendResolvedText')}
              <span className="block text-xs text-muted-foreground">{t('admin.settings.sendResolvedTextHint')}</span>
            </span>
            <Switch
              checked={form.sendResolvedText}
              onCheckedChange={(on) => set('sendResolvedText', on)}
              aria-label={t('admin.settings.sendResolvedText')}
            />
          </label>
        </div>
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          {NUMBER_KEYS.map((key) => {
            const [min, max] = NUMBER_RULES[key];
            return (
              <Field
                key={key}
                label={t(`admin.settings.numbers.${key}`)}
                hint={t('admin.settings.between', { min, max })}
                error={errors[`conversations.${key}`]}
              >
                <Input
                  type="number"
                  inputMode="numeric"
                  min={min}
                  max={max}
                  value={form.numbers[key]}
                  onChange={(event) => set('numbers', { ...form.numbers, [key]: event.target.value })}
                />
              </Field>
            );
          })}
        </div>
      </Section>

      <BusinessHoursEditor
        enabled={form.hoursEnabled}
        days={form.days}
        error={errors.business_hours}
        switchTexts={{
          label: t('admin.settings.hoursSwitch'),
          on: t('admin.settings.hoursOn', { timezone: form.timezone }),
          off: t('admin.settings.hoursOff'),
        }}
        onChange={(next) => setForm((current) => ({ ...current, hoursEnabled: next.enabled, days: next.days }))}
      />

    </form>
  );
}

export function SettingsPage() {
  const { t } = useTranslation();
  const settings = useCompanySettings();

  useEffect(() => {
    document.title = `${t('admin.settings.title')} · Nexus`;
  }, [t]);

  let content;
  if (settings.isPending) {
    content = (
      <div className="flex justify-center p-10" role="status">
        <Spinner className="size-5 text-primary" />
        <span className="sr-only">{t('common.loading')}</span>
      </div>
    );
  } else if (settings.isError) {
    content = (
      <EmptyState
        icon={SettingsIcon}
        title={t('admin.settings.loadFailed')}
        description={errorMessage(t, settings.error)}
        action={
          <Button variant="outline" onClick={() => void settings.refetch()}>
            {t('common.retry')}
          </Button>
        }
      />
    );
  } else {
    content = <SettingsEditor settings={settings.data} />;
  }

  return (
    <AdminPage title={t('admin.settings.title')} description={t('admin.settings.description')}>
      {content}
    </AdminPage>
  );
}
