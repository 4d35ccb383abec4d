import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChannelKind, ConnectionAdminRead } from '@/client';
import { useCreateConnection, useUpdateConnection } from '@/api/connections';
import { errorMessage } from '@/api/errorMessages';
import { FormDialog } from '@/components/FormDialog';
import { SelectField } from '@/components/SelectField';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Switch } from '@/components/ui/switch';
import { toast } from '@/components/ui/toast';
import {
  CHANNELS,
  fieldPath,
  missingProviderFields,
  PROVIDER_FIELDS,
  providerBody,
  type ProviderValues,
} from './connectionFields';
import { errorsByPath } from './formErrors';

function initialValues(connection: ConnectionAdminRead | null): ProviderValues {
  const values: ProviderValues = {};
  if (!connection) return values;
  // Settings are shown again; secrets never come back from the API.
  for (const field of PROVIDER_FIELDS[connection.channel]) {
    const stored = connection.config[field.key];
    if (!field.secret && stored !== undefined && stored !== null) values[fieldPath(field)] = String(stored);
  }
  return values;
}

/** Create a connection for any provider (asking for exactly what it needs), or edit one. */
export function ConnectionFormDialog({
  connection,
  onClose,
}: {
  connection: ConnectionAdminRead | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const editing = connection !== null;
  const [name, setName] = useState(connection?.name ?? '');
  const [channel, setChannel] = useState<ChannelKind>(connection?.channel ?? 'waha');
  const [phone, setPhone] = useState(connection?.phone_number ?? '');
  const [isDefault, setIsDefault] = useState(connection?.is_default ?? false);
  const [values, setValues] = useState(() => initialValues(connection));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const create = useCreateConnection();
  const update = useUpdateConnection();
  const pending = create.isPending || update.isPending;
  const storedSecrets = connection?.secret_fields ?? [];

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!name.trim()) found.name = t('validation.required');
    for (const path of missingProviderFields(channel, values, storedSecrets)) found[path] = t('validation.required');
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length > 0) return;
    const common = {
      name: name.trim(),
      phone_number: phone.trim() || null,
      is_default: isDefault,
      ...providerBody(channel, values),
    };
    try {
      if (connection) {
        await update.mutateAsync({ id: connection.id, body: common });
        toast.success(t('admin.connections.saved', { name: common.name }));
      } else {
        await create.mutateAsync({ ...common, channel });
        toast.success(t('admin.connections.created', { name: common.name }));
      }
      onClose();
    } catch (error) {
      const byPath = errorsByPath(t, error);
      setErrors(byPath);
      const known = ['name', 'phone_number', ...PROVIDER_FIELDS[channel].map(fieldPath)];
      if (!Object.keys(byPath).some((path) => known.includes(path))) setFormError(errorMessage(t, error));
    }
  }

  return (
    <FormDialog
      title={editing ? t('admin.connections.editTitle') : t('admin.connections.createTitle')}
      description={t(`admin.connections.channelHint.${channel}`)}
      className="max-w-xl"
      formError={formError}
      pending={pending}
      submitLabel={editing ? t('common.save') : t('admin.connections.create')}
      onSubmit={onSubmit}
      onClose={onClose}
    >
      <Field label={t('admin.connections.name')} error={errors.name}>
        <Input value={name} onChange={(event) => setName(event.target.value)} placeholder={t('admin.connections.namePlaceholder')} />
      </Field>
      <SelectField
        label={t('admin.connections.channel')}
        hint={editing ? t('admin.connections.channelFixed') : undefined}
        triggerClassName="min-w-0"
        value={channel}
        options={CHANNELS.map((kind) => ({ value: kind, label: t(`admin.connections.channels.${kind}`) }))}
        disabled={editing}
        onValueChange={(next) => {
          setChannel(next);
          setErrors({});
        }}
      />
      {PROVIDER_FIELDS[channel].map((field) => {
        const path = fieldPath(field);
        const stored = field.secret && storedSecrets.includes(field.key);
        return (
          <Field
            key={path}
            label={`${t(`admin.connections.fields.${field.key}`)}${field.required ? '' : ` ${t('admin.connections.optional')}`}`}
            error={errors[path]}
            hint={stored ? t('admin.connections.secretStored') : field.secret ? t('admin.connections.secretHint') : undefined}
          >
            <Input
              type={field.secret ? 'password' : 'text'}
              autoComplete={field.secret ? 'new-password' : 'off'}
              spellCheck={false}
              value={values[path] ?? ''}
              placeholder={stored ? '••••••••' : field.placeholder}
              onChange={(event) => {
                setValues((current) => ({ ...current, [path]: event.target.value }));
                // The field is being fixed: its old message would only mislead.
                setErrors(({ [path]: _fixed, ...others }) => others);
              }}
            />
          </Field>
        );
      })}
      <Field label={`${t('admin.connections.phone')} ${t('admin.connections.optional')}`} error={errors.phone_number}>
        <Input type="tel" value={phone} onChange={(event) => setPhone(event.target.value)} placeholder="+55 11 99999-0000" />
      </Field>
      <label className="flex items-center justify-between gap-3 self-end text-sm sm:h-9">
        <span>{t('admin.connections.isDefault')}</span>
        <Switch checked={isDefault} onCheckedChange={setIsDefault} aria-label={t('admin.connections.isDefault')} />
      </label>
    </FormDialog>
  );
}
