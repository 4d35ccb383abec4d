import { LockIcon, PencilIcon, PlusIcon, Trash2Icon, type LucideIcon } from 'lucide-react';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { useCatalog, useCatalogMutations, type CatalogItem, type CatalogKind, type CatalogTypes } from '@/api/catalog';
import { useDepartments } from '@/api/departments';
import { errorMessage, fieldMessages, toastError } from '@/api/errorMessages';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { EmptyState } from '@/components/EmptyState';
import { FormDialog } from '@/components/FormDialog';
import { SelectField } from '@/components/SelectField';
import { Spinner } from '@/components/Spinner';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { Switch } from '@/components/ui/switch';
import { toast } from '@/components/ui/toast';
import { cn } from '@/lib/utils';
import { AdminPage } from './AdminPage';

/** How a form field is edited. `department` is a department, or none for the whole company. */
type FieldKind = 'text' | 'textarea' | 'color' | 'number' | 'switch' | 'department';
export type CatalogValues = Record<string, string | boolean>;

export type CatalogField = {
  name: string;
  label: string;
  kind: FieldKind;
  required?: boolean;
  maxLength?: number;
  min?: number;
  max?: number;
  pattern?: RegExp;
  placeholder?: string;
};

export type CatalogColumn<K extends CatalogKind> = {
  key: string;
  label: string;
  render: (item: CatalogItem<K>) => ReactNode;
  className?: string;
};

/** Everything that differs between the catalogs; the page, table and dialog are shared. */
export type CatalogConfig<K extends CatalogKind> = {
  kind: K;
  icon: LucideIcon;
  texts: {
    title: string;
    description: string;
    new: string;
    createTitle: string;
    editTitle: string;
    formDescription: string;
    empty: string;
    emptyHint: string;
    /** What a value that breaks a field's pattern must look like. */
    pattern: string;
    created: (name: string) => string;
    saved: (name: string) => string;
    deleted: (name: string) => string;
  };
  fields: CatalogField[];
  columns: CatalogColumn<K>[];
  toValues: (item: CatalogItem<K> | null) => CatalogValues;
  toBody: (values: CatalogValues) => CatalogTypes[K]['body'];
  nameOf: (item: CatalogItem<K>) => string;
  /** Built-in rows that the server refuses to delete. */
  locked?: (item: CatalogItem<K>) => boolean;
};

export const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;
const ALL = '__all';

/** Messages for the fields that break their rules, by field name. */
export function validateCatalog(
  fields: CatalogField[],
  values: CatalogValues,
  messages: { required: string; tooLong: string; range: string; pattern: string },
): Record<string, string> {
  const found: Record<string, string> = {};
  for (const field of fields) {
    const raw = values[field.name];
    if (typeof raw !== 'string') continue;
    const value = raw.trim();
    if (!value) {
      if (field.required) found[field.name] = messages.required;
      continue;
    }
    if (field.maxLength !== undefined && value.length > field.maxLength) found[field.name] = messages.tooLong;
    else if (field.kind === 'number') {
      const number = Number(value);
      if (!Number.isInteger(number) || number < (field.min ?? -Infinity) || number > (field.max ?? Infinity)) {
        found[field.name] = messages.range;
      }
    } else if (field.pattern && !field.pattern.test(value)) found[field.name] = messages.pattern;
  }
  return found;
}

/** The three catalogs are one section: links between them, like tabs. */
function CatalogNav() {
  const { t } = useTranslation();
  const links = [
    { to: '/admin/quick-replies', label: t('admin.quickReplies.title') },
    { to: '/admin/closing-reasons', label: t('admin.closingReasons.title') },
    { to: '/admin/tags', label: t('admin.tags.title') },
  ];
  return (
    <nav aria-label={t('admin.catalog.nav')} className="flex max-w-full gap-1 overflow-x-auto rounded-lg bg-secondary p-1">
      {links.map(({ to, label }) => (
        <NavLink
          key={to}
          to={to}
          className={({ isActive }) =>
            cn(
              'rounded-md px-3 py-1.5 text-sm font-medium whitespace-nowrap text-muted-foreground hover:text-foreground',
              isActive && 'bg-card text-foreground shadow-sm',
            )
          }
        >
          {label}
        </NavLink>
      ))}
    </nav>
  );
}

function CatalogFormDialog<K extends CatalogKind>({
  config,
  item,
  onClose,
}: {
  config: CatalogConfig<K>;
  item: CatalogItem<K> | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [values, setValues] = useState(() => config.toValues(item));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const { create, update } = useCatalogMutations(config.kind);
  const departments = useDepartments();
  const pending = create.isPending || update.isPending;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = validateCatalog(config.fields, values, {
      required: t('validation.required'),
      tooLong: t('validation.tooLong'),
      range: t('validation.range'),
      pattern: config.texts.pattern,
    });
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length > 0) return;
    const body = config.toBody(values);
    try {
      const saved = item
        ? await update.mutateAsync({ id: item.id, body })
        : await create.mutateAsync(body);
      const name = config.nameOf(saved);
      toast.success(item ? config.texts.saved(name) : config.texts.created(name));
      onClose();
    } catch (error) {
      const byField = fieldMessages(t, error);
      setErrors(byField);
      if (Object.keys(byField).length === 0) setFormError(errorMessage(t, error));
    }
  }

  function control(field: CatalogField) {
    const value = values[field.name];
    const set = (next: string | boolean) => setValues((current) => ({ ...current, [field.name]: next }));
    const label = field.label;
    if (field.kind === 'switch') {
      return (
        <label key={field.name} className="flex items-center justify-between gap-3 text-sm sm:col-span-2">
          <span>{label}</span>
          <Switch checked={value === true} onCheckedChange={set} aria-label={label} />
        </label>
      );
    }
    const text = typeof value === 'string' ? value : '';
    if (field.kind === 'department') {
      const options = [
        { value: ALL, label: t('admin.catalog.allDepartments') },
        ...(departments.data ?? []).map((department) => ({ value: department.id, label: department.name })),
      ];
      return (
        <SelectField
          key={field.name}
          label={label}
          error={errors[field.name]}
          triggerClassName="min-w-0"
          value={text || ALL}
          options={options}
          onValueChange={(next) => set(next === ALL ? '' : next)}
        />
      );
    }
    const wide = field.kind === 'textarea';
    return (
      <Field key={field.name} label={label} error={errors[field.name]} className={cn(wide && 'sm:col-span-2')}>
        {(props) => {
          switch (field.kind) {
            case 'textarea':
              return <Textarea {...props} rows={4} value={text} placeholder={field.placeholder} onChange={(event) => set(event.target.value)} />;
            case 'number':
              return (
                <Input {...props} type="number" inputMode="numeric" min={field.min} max={field.max} value={text} onChange={(event) => set(event.target.value)} />
              );
            case 'color':
              return (
                <div className="flex gap-2">
                  <input
                    type="color"
                    value={HEX_COLOR.test(text) ? text : '#000000'}
                    onChange={(event) => set(event.target.value)}
                    className="h-9 w-12 cursor-pointer rounded-md border border-input bg-card p-1"
                    aria-label={t('admin.catalog.colorPicker')}
                  />
                  <Input {...props} value={text} placeholder="#64748b" onChange={(event) => set(event.target.value)} />
                </div>
              );
            default:
              return <Input {...props} value={text} placeholder={field.placeholder} onChange={(event) => set(event.target.value)} />;
          }
        }}
      </Field>
    );
  }

  return (
    <FormDialog
      title={item ? config.texts.editTitle : config.texts.createTitle}
      description={config.texts.formDescription}
      className="max-w-lg"
      formError={formError}
      pending={pending}
      submitLabel={item ? t('common.save') : t('admin.catalog.create')}
      onSubmit={onSubmit}
      onClose={onClose}
    >
      {config.fields.map(control)}
    </FormDialog>
  );
}

/** A catalog's page: the list as a table (cards on phones), a dialog to create and edit,
 *  and a confirmation before deleting. */
export function CatalogPage<K extends CatalogKind>({ config }: { config: CatalogConfig<K> }) {
  const { t } = useTranslation();
  const list = useCatalog(config.kind);
  const { remove } = useCatalogMutations(config.kind);
  const [editing, setEditing] = useState<{ item: CatalogItem<K> | null } | null>(null);
  const [deleting, setDeleting] = useState<CatalogItem<K> | null>(null);
  const { title } = config.texts;

  useEffect(() => {
    document.title = `${title} · Nexus`;
  }, [title]);

  function confirmDelete() {
    if (!deleting) return;
    const name = config.nameOf(deleting);
    remove.mutate(deleting.id, {
      onSuccess: () => toast.success(config.texts.deleted(name)),
      onError: (error) => toastError(t, error, t('admin.catalog.deleteFailed')),
      onSettled: () => setDeleting(null),
    });
  }

  function actions(item: CatalogItem<K>) {
    const name = config.nameOf(item);
    const locked = config.locked?.(item) ?? false;
    return (
      <div className="flex items-center justify-end gap-0.5">
        <Button variant="ghost" size="icon-sm" aria-label={t('admin.catalog.edit', { name })} onClick={() => setEditing({ item })}>
          <PencilIcon aria-hidden="true" />
        </Button>
        {locked ? (
          <span className="inline-flex size-8 items-center justify-center text-muted-foreground" title={t('admin.catalog.locked')}>
            <LockIcon className="size-4" aria-hidden="true" />
            <span className="sr-only">{t('admin.catalog.locked')}</span>
          </span>
        ) : (
          <Button variant="ghost" size="icon-sm" aria-label={t('admin.catalog.delete', { name })} onClick={() => setDeleting(item)}>
            <Trash2Icon aria-hidden="true" />
          </Button>
        )}
      </div>
    );
  }

  let content;
  if (list.isPending) {
    content = (
      <div className="flex justify-center p-10" role="status">
        <Spinner className="size-5 text-primary" />
        <span className="sr-only">{t('common.loading')}</span>
      </div>
    );
  } else if (list.isError) {
    content = (
      <EmptyState
        icon={config.icon}
        title={t('admin.catalog.loadFailed')}
        description={errorMessage(t, list.error)}
        action={
          <Button variant="outline" onClick={() => void list.refetch()}>
            {t('common.retry')}
          </Button>
        }
      />
    );
  } else if (list.data.length === 0) {
    content = <EmptyState icon={config.icon} title={config.texts.empty} description={config.texts.emptyHint} />;
  } else {
    content = (
      <div className="overflow-x-auto rounded-lg border bg-card">
        <table className="w-full text-sm">
          <caption className="sr-only">{title}</caption>
          <thead className="bg-muted text-left text-xs tracking-wide text-muted-foreground uppercase">
            <tr>
              {config.columns.map((column) => (
                <th key={column.key} scope="col" className={cn('px-4 py-2.5 font-medium', column.className)}>
                  {column.label}
                </th>
              ))}
              <th scope="col" className="w-20 px-4 py-2.5">
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((item) => (
              <tr key={item.id} className="border-t align-top">
                {config.columns.map((column) => (
                  <td key={column.key} className={cn('px-4 py-2.5', column.className)}>
                    {column.render(item)}
                  </td>
                ))}
                <td className="px-2 py-1.5">{actions(item)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  }

  return (
    <AdminPage
      title={title}
      description={config.texts.description}
      action={
        <Button onClick={() => setEditing({ item: null })}>
          <PlusIcon aria-hidden="true" />
          {config.texts.new}
        </Button>
      }
    >
      <CatalogNav />
      {content}
      {editing ? <CatalogFormDialog config={config} item={editing.item} onClose={() => setEditing(null)} /> : null}
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => (open ? undefined : setDeleting(null))}
        title={t('admin.catalog.deleteTitle')}
        description={t('admin.catalog.deleteDescription', { name: deleting ? config.nameOf(deleting) : '' })}
        confirmLabel={t('common.delete')}
        destructive
        pending={remove.isPending}
        onConfirm={confirmDelete}
      />
    </AdminPage>
  );
}
