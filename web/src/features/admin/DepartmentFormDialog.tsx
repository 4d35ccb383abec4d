import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { DepartmentRead, RoutingRule } from '@/client';
import { useCreateDepartment, useUpdateDepartment } from '@/api/departments';
import { errorMessage, fieldMessages } from '@/api/errorMessages';
import { FormDialog } from '@/components/FormDialog';
import { SelectField } from '@/components/SelectField';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Switch } from '@/components/ui/switch';
import { toast } from '@/components/ui/toast';
import { BusinessHoursEditor, fromApi, toApi, type WeeklyHours } from './BusinessHoursEditor';

export const ROUTING_RULES: RoutingRule[] = ['least_busy', 'round_robin', 'manual'];
const HEX = /^#[0-9a-fA-F]{6}$/;

type FormState = {
  name: string;
  slug: string;
  color: string;
  isRoot: boolean;
  isActive: boolean;
  position: string;
  timeout: string;
  maxAgents: string;
  rule: RoutingRule;
  hoursEnabled: boolean;
  timezone: string;
  days: WeeklyHours;
};

function initialState(department: DepartmentRead | null, nextPosition: number): FormState {
  const hours = fromApi(department?.business_hours);
  return {
    name: department?.name ?? '',
    slug: department?.slug ?? '',
    color: department?.color ?? '#2563eb',
    isRoot: department?.is_root ?? false,
    isActive: department?.is_active ?? true,
    position: String(department?.position ?? nextPosition),
    timeout: String(department?.response_timeout_minutes ?? 5),
    maxAgents: String(department?.max_agents ?? 10),
    rule: department?.routing_rule ?? 'least_busy',
    hoursEnabled: hours.enabled,
    timezone: hours.timezone,
    days: hours.days,
  };
}

/** The slug the server makes from a name when none is given (`slugify` in companies/service.py):
 *  accents dropped, lower case, every other run of characters a hyphen. */
export function slugFromName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\P{ASCII}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}

function intIn(value: string, min: number, max: number): boolean {
  const number = Number(value);
  return value.trim() !== '' && Number.isInteger(number) && number >= min && number <= max;
}

export function DepartmentFormDialog({
  department,
  nextPosition,
  onClose,
}: {
  department: DepartmentRead | null;
  nextPosition: number;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [form, setForm] = useState(() => initialState(department, nextPosition));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const create = useCreateDepartment();
  const update = useUpdateDepartment();
  const pending = create.isPending || update.isPending;
  const editing = department !== null;

  function set<K extends keyof FormState>(key: K, value: FormState[K]) {
    setForm((current) => ({ ...current, [key]: value }));
  }

  function validate(): Record<string, string> {
    const found: Record<string, string> = {};
    if (!form.name.trim()) found.name = t('validation.required');
    if (form.slug && !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(form.slug)) found.slug = t('departments.slugRule');
    if (!HEX.test(form.color)) found.color = t('validation.pattern');
    if (!intIn(form.timeout, 1, 1440)) found.response_timeout_minutes = t('validation.range');
    if (!intIn(form.maxAgents, 1, 1000)) found.max_agents = t('validation.range');
    if (!intIn(form.position, 0, 10000)) found.position = t('validation.range');
    return found;
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = validate();
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length > 0) return;
    const body = {
      name: form.name.trim(),
      slug: form.slug.trim() || null,
      color: form.color,
      is_root: form.isRoot,
      is_active: form.isActive,
      position: Number(form.position),
      response_timeout_minutes: Number(form.timeout),
      max_agents: Number(form.maxAgents),
      routing_rule: form.rule,
      business_hours: toApi(form.hoursEnabled, form.timezone, form.days),
    };
    try {
      if (editing) {
        // An empty slug means "keep it" when editing (the server derives it at creation).
        await update.mutateAsync({ id: department.id, body: { ...body, slug: body.slug ?? undefined } });
        toast.success(t('departments.saved', { name: body.name }));
      } else {
        await create.mutateAsync(body);
        toast.success(t('departments.created', { name: body.name }));
      }
      onClose();
    } catch (error) {
      const byField = fieldMessages(t, error);
      setErrors(byField);
      if (Object.keys(byField).length === 0) setFormError(errorMessage(t, error));
    }
  }

  return (
    <FormDialog
      title={editing ? t('departments.editTitle') : t('departments.createTitle')}
      description={t('departments.formDescription')}
      className="max-w-2xl"
      formError={formError}
      pending={pending}
      submitLabel={editing ? t('common.save') : t('departments.create')}
      onSubmit={onSubmit}
      onClose={onClose}
    >
      <Field label={t('departments.name')} error={errors.name}>
        <Input value={form.name} onChange={(event) => set('name', event.target.value)} />
      </Field>
      <Field label={t('departments.slug')} error={errors.slug} hint={t('departments.slugHint')}>
        <Input
          value={form.slug}
          onChange={(event) => set('slug', event.target.value.toLowerCase())}
          // Left empty, a new department's slug is made from its name; an edited one keeps its own.
          placeholder={editing ? department.slug : slugFromName(form.name)}
        />
      </Field>
      <Field label={t('departments.color')} error={errors.color}>
        {(control) => (
          <div className="flex gap-2">
            <input
              type="color"
              value={HEX.test(form.color) ? form.color : '#000000'}
              onChange={(event) => set('color', event.target.value)}
              className="h-9 w-12 cursor-pointer rounded-md border border-input bg-card p-1"
              aria-label={t('departments.colorPicker')}
            />
            <Input {...control} value={form.color} onChange={(event) => set('color', event.target.value)} />
          </div>
        )}
      </Field>
      <SelectField
        label={t('departments.routingRule')}
        error={errors.routing_rule}
        value={form.rule}
        options={ROUTING_RULES.map((rule) => ({ value: rule, label: t(`routing.${rule}`) }))}
        onValueChange={(rule) => set('rule', rule)}
      />
      <Field
        label={t('departments.responseTimeout')}
        error={errors.response_timeout_minutes}
        hint={t('departments.responseTimeoutHint')}
      >
        <Input type="number" inputMode="numeric" min={1} max={1440} value={form.timeout} onChange={(event) => set('timeout', event.target.value)} />
      </Field>
      <Field label={t('departments.maxAgents')} error={errors.max_agents}>
        <Input type="number" inputMode="numeric" min={1} max={1000} value={form.maxAgents} onChange={(event) => set('maxAgents', event.target.value)} />
      </Field>
      <Field label={t('departments.position')} error={errors.position} hint={t('departments.positionHint')}>
        <Input type="number" inputMode="numeric" min={0} value={form.position} onChange={(event) => set('position', event.target.value)} />
      </Field>
      <div className="grid content-start gap-3 pt-6">
        <label className="flex items-center justify-between gap-3 text-sm">
          <span>
            {t('departments.isRoot')}
            <span className="block text-xs text-muted-foreground">{t('departments.isRootHint')}</span>
          </span>
          <Switch checked={form.isRoot} onCheckedChange={(on) => set('isRoot', on)} aria-label={t('departments.isRoot')} />
        </label>
        <label className="flex items-center justify-between gap-3 text-sm">
          <span>{t('departments.isActive')}</span>
          <Switch checked={form.isActive} onCheckedChange={(on) => set('isActive', on)} aria-label={t('departments.isActive')} />
        </label>
      </div>
      <div className="sm:col-span-2">
        <BusinessHoursEditor
          enabled={form.hoursEnabled}
          timezone={form.timezone}
          days={form.days}
          error={errors.business_hours}
          onChange={(next) => setForm((current) => ({ ...current, hoursEnabled: next.enabled, timezone: next.timezone, days: next.days }))}
        />
      </div>
    </FormDialog>
  );
}
