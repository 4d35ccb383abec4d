import { MessageSquareTextIcon, TagIcon, ClipboardCheckIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useDepartmentIndex } from '@/api/departments';
import { Badge } from '@/components/ui/badge';
import { CatalogPage, HEX_COLOR, type CatalogConfig } from './CatalogPage';

const text = (value: string | boolean | undefined) => (typeof value === 'string' ? value.trim() : '');

export function QuickRepliesPage() {
  const { t } = useTranslation();
  const departments = useDepartmentIndex();
  const config: CatalogConfig<'quickReplies'> = {
    kind: 'quickReplies',
    icon: MessageSquareTextIcon,
    texts: {
      title: t('admin.quickReplies.title'),
      description: t('admin.quickReplies.description'),
      new: t('admin.quickReplies.new'),
      createTitle: t('admin.quickReplies.createTitle'),
      editTitle: t('admin.quickReplies.editTitle'),
      formDescription: t('admin.quickReplies.formDescription'),
      empty: t('admin.quickReplies.empty'),
      emptyHint: t('admin.quickReplies.emptyHint'),
      created: (name) => t('admin.quickReplies.created', { name }),
      saved: (name) => t('admin.quickReplies.saved', { name }),
      deleted: (name) => t('admin.quickReplies.deleted', { name }),
      pattern: t('admin.quickReplies.shortcutRule'),
    },
    fields: [
      {
        name: 'shortcut',
        label: t('admin.quickReplies.shortcut'),
        kind: 'text',
        required: true,
        // The server drops a leading slash: agents type "/oi" in the composer.
        pattern: /^\/?[a-z0-9_-]{1,40}$/,
        placeholder: '/bom-dia',
      },
      { name: 'department_id', label: t('admin.quickReplies.department'), kind: 'department' },
      { name: 'content', label: t('admin.quickReplies.content'), kind: 'textarea', required: true, maxLength: 4096 },
    ],
    columns: [
      {
        key: 'shortcut',
        label: t('admin.quickReplies.shortcut'),
        className: 'whitespace-nowrap',
        render: (item) => <code className="rounded bg-muted px-1.5 py-0.5 text-xs">/{item.shortcut}</code>,
      },
      {
        key: 'content',
        label: t('admin.quickReplies.content'),
        className: 'w-full',
        render: (item) => <p className="line-clamp-2 break-words whitespace-pre-line">{item.content}</p>,
      },
      {
        key: 'department',
        label: t('admin.quickReplies.department'),
        className: 'whitespace-nowrap',
        render: (item) =>
          item.department_id ? (departments.get(item.department_id)?.name ?? '—') : t('admin.catalog.allDepartments'),
      },
    ],
    toValues: (item) => ({
      shortcut: item?.shortcut ?? '',
      content: item?.content ?? '',
      department_id: item?.department_id ?? '',
    }),
    toBody: (values) => ({
      shortcut: text(values.shortcut).replace(/^\//, ''),
      content: text(values.content),
      department_id: text(values.department_id) || null,
    }),
    nameOf: (item) => `/${item.shortcut}`,
  };
  return <CatalogPage config={config} />;
}

export function ClosingReasonsPage() {
  const { t } = useTranslation();
  const config: CatalogConfig<'closingReasons'> = {
    kind: 'closingReasons',
    icon: ClipboardCheckIcon,
    texts: {
      title: t('admin.closingReasons.title'),
      description: t('admin.closingReasons.description'),
      new: t('admin.closingReasons.new'),
      createTitle: t('admin.closingReasons.createTitle'),
      editTitle: t('admin.closingReasons.editTitle'),
      formDescription: t('admin.closingReasons.formDescription'),
      empty: t('admin.closingReasons.empty'),
      emptyHint: t('admin.closingReasons.emptyHint'),
      created: (name) => t('admin.closingReasons.created', { name }),
      saved: (name) => t('admin.closingReasons.saved', { name }),
      deleted: (name) => t('admin.closingReasons.deleted', { name }),
      pattern: t('validation.pattern'),
    },
    fields: [
      { name: 'name', label: t('admin.closingReasons.name'), kind: 'text', required: true, maxLength: 120 },
      { name: 'position', label: t('admin.closingReasons.position'), kind: 'number', required: true, min: 0, max: 10000 },
      { name: 'description', label: t('admin.closingReasons.descriptionField'), kind: 'textarea', maxLength: 500 },
      { name: 'is_active', label: t('admin.closingReasons.isActive'), kind: 'switch' },
    ],
    columns: [
      {
        key: 'name',
        label: t('admin.closingReasons.name'),
        className: 'whitespace-nowrap font-medium',
        render: (item) => item.name,
      },
      {
        key: 'description',
        label: t('admin.closingReasons.descriptionField'),
        className: 'w-full text-muted-foreground',
        render: (item) => item.description || '—',
      },
      {
        key: 'position',
        label: t('admin.closingReasons.position'),
        className: 'text-right tabular-nums',
        render: (item) => item.position,
      },
      {
        key: 'status',
        label: t('admin.closingReasons.status'),
        render: (item) => (
          <span className="flex flex-wrap gap-1">
            {item.is_active ? (
              <Badge variant="success">{t('admin.closingReasons.active')}</Badge>
            ) : (
              <Badge variant="muted">{t('admin.closingReasons.inactive')}</Badge>
            )}
            {item.is_system ? <Badge variant="outline">{t('admin.closingReasons.system')}</Badge> : null}
          </span>
        ),
      },
    ],
    toValues: (item) => ({
      name: item?.name ?? '',
      description: item?.description ?? '',
      position: String(item?.position ?? 0),
      is_active: item?.is_active ?? true,
    }),
    toBody: (values) => ({
      name: text(values.name),
      description: text(values.description) || null,
      position: Number(text(values.position)),
      is_active: values.is_active === true,
    }),
    nameOf: (item) => item.name,
    locked: (item) => item.is_system,
  };
  return <CatalogPage config={config} />;
}

export function TagsPage() {
  const { t } = useTranslation();
  const config: CatalogConfig<'tags'> = {
    kind: 'tags',
    icon: TagIcon,
    texts: {
      title: t('admin.tags.title'),
      description: t('admin.tags.description'),
      new: t('admin.tags.new'),
      createTitle: t('admin.tags.createTitle'),
      editTitle: t('admin.tags.editTitle'),
      formDescription: t('admin.tags.formDescription'),
      empty: t('admin.tags.empty'),
      emptyHint: t('admin.tags.emptyHint'),
      created: (name) => t('admin.tags.created', { name }),
      saved: (name) => t('admin.tags.saved', { name }),
      deleted: (name) => t('admin.tags.deleted', { name }),
      pattern: t('admin.tags.colorRule'),
    },
    fields: [
      { name: 'name', label: t('admin.tags.name'), kind: 'text', required: true, maxLength: 60 },
      { name: 'color', label: t('admin.tags.color'), kind: 'color', pattern: HEX_COLOR },
    ],
    columns: [
      {
        key: 'name',
        label: t('admin.tags.name'),
        className: 'w-full',
        render: (item) => (
          <span className="inline-flex items-center gap-2 font-medium">
            <span className="size-3 rounded-full" style={{ background: item.color ?? '#94a3b8' }} aria-hidden="true" />
            {item.name}
          </span>
        ),
      },
      {
        key: 'color',
        label: t('admin.tags.color'),
        className: 'font-mono text-xs text-muted-foreground',
        render: (item) => item.color ?? '—',
      },
    ],
    toValues: (item) => ({ name: item?.name ?? '', color: item?.color ?? '#64748b' }),
    toBody: (values) => ({ name: text(values.name), color: text(values.color) || null }),
    nameOf: (item) => item.name,
  };
  return <CatalogPage config={config} />;
}
