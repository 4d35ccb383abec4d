import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Membership, UserRead, UserRole } from '@/client';
import { useDepartments } from '@/api/departments';
import { errorMessage, fieldMessages } from '@/api/errorMessages';
import { useCreateUser, useUpdateUser } from '@/api/users';
import { FormDialog } from '@/components/FormDialog';
import { SelectField } from '@/components/SelectField';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { toast } from '@/components/ui/toast';
import { LANGUAGES } from '@/i18n';

export const ROLES: UserRole[] = ['agent', 'supervisor', 'admin'];

type FormState = {
  name: string;
  email: string;
  password: string;
  role: UserRole;
  locale: string;
  maxConversations: string;
  departments: Membership[];
};

function initialState(user: UserRead | null): FormState {
  return {
    name: user?.name ?? '',
    email: user?.email ?? '',
    password: '',
    role: user?.role ?? 'agent',
    locale: user?.locale ?? 'pt-BR',
    maxConversations: String(user?.max_conversations ?? 5),
    departments: user?.departments ?? [],
  };
}

/** Create a user (user = null) or edit one. Mounted only while open, so it starts fresh. */
export function UserFormDialog({ user, onClose }: { user: UserRead | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState(() => initialState(user));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const departments = useDepartments({ is_active: true });
  const create = useCreateUser();
  const update = useUpdateUser();
  const pending = create.isPending || update.isPending;
  const editing = user !== null;

  function set<K extends keyof FormState>(key: K, value: FormState[K]) {
    setForm((current) => ({ ...current, [key]: value }));
  }

  function toggleDepartment(id: string, on: boolean) {
    const role = form.role === 'supervisor' ? 'supervisor' : 'member';
    set(
      'departments',
      on
        ? [...form.departments, { department_id: id, role }]
        : form.departments.filter((membership) => membership.department_id !== id),
    );
  }

  function validate(): Record<string, string> {
    const found: Record<string, string> = {};
    if (!form.name.trim()) found.name = t('validation.required');
    if (!form.email.trim()) found.email = t('validation.required');
    if (!editing && !form.password) found.password = t('validation.required');
    else if (form.password && form.password.length < 8) found.password = t('validation.passwordTooShort');
    const max = Number(form.maxConversations);
    if (!Number.isInteger(max) || max < 1 || max > 100) found.max_conversations = t('validation.range');
    return found;
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = validate();
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length > 0) return;
    const common = {
      name: form.name.trim(),
      email: form.email.trim(),
      role: form.role,
      locale: form.locale,
      max_conversations: Number(form.maxConversations),
      departments: form.departments,
    };
    try {
      if (editing) {
        await update.mutateAsync({
          id: user.id,
          body: { ...common, ...(form.password ? { password: form.password } : {}) },
        });
        toast.success(t('users.saved', { name: common.name }));
      } else {
        await create.mutateAsync({ ...common, password: form.password });
        toast.success(t('users.created', { name: common.name }));
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
      title={editing ? t('users.editTitle') : t('users.createTitle')}
      description={editing ? t('users.editDescription') : t('users.createDescription')}
      className="max-w-xl"
      formError={formError}
      pending={pending}
      submitLabel={editing ? t('common.save') : t('users.create')}
      onSubmit={onSubmit}
      onClose={onClose}
    >
      <Field label={t('users.name')} error={errors.name} className="sm:col-span-2">
        <Input value={form.name} onChange={(event) => set('name', event.target.value)} autoComplete="off" />
      </Field>
      <Field label={t('users.email')} error={errors.email} className="sm:col-span-2">
        <Input
          type="email"
          value={form.email}
          onChange={(event) => set('email', event.target.value)}
          autoComplete="off"
        />
      </Field>
      <Field
        label={t('users.password')}
        error={errors.password}
        hint={editing ? t('users.passwordKeep') : t('users.passwordHint')}
        className="sm:col-span-2"
      >
        <Input
          type="password"
          value={form.password}
          onChange={(event) => set('password', event.target.value)}
          autoComplete="new-password"
        />
      </Field>
      <SelectField
        label={t('users.role')}
        error={errors.role}
        value={form.role}
        options={ROLES.map((role) => ({ value: role, label: t(`roles.${role}`) }))}
        onValueChange={(role) => set('role', role)}
      />
      <Field label={t('users.maxConversations')} error={errors.max_conversations}>
        <Input
          type="number"
          min={1}
          max={100}
          inputMode="numeric"
          value={form.maxConversations}
          onChange={(event) => set('maxConversations', event.target.value)}
        />
      </Field>
      <SelectField
        label={t('users.locale')}
        error={errors.locale}
        value={form.locale}
        options={LANGUAGES.map((language) => ({ value: language.code, label: language.label }))}
        onValueChange={(locale) => set('locale', locale)}
      />
      <fieldset className="grid gap-2 sm:col-span-2">
        <legend className="mb-1 text-sm font-medium">{t('users.departments')}</legend>
        {departments.data && departments.data.length > 0 ? (
          <div className="grid gap-2 sm:grid-cols-2">
            {departments.data.map((department) => {
              const checked = form.departments.some((m) => m.department_id === department.id);
              return (
                <label
                  key={department.id}
                  className="flex cursor-pointer items-center gap-2 rounded-md border px-3 py-2 text-sm hover:bg-muted"
                >
                  <input
                    type="checkbox"
                    className="size-4 accent-(--color-primary)"
                    checked={checked}
                    onChange={(event) => toggleDepartment(department.id, event.target.checked)}
                  />
                  <span
                    className="size-2.5 rounded-full"
                    style={{ background: department.color ?? '#94a3b8' }}
                    aria-hidden="true"
                  />
                  {department.name}
                </label>
              );
            })}
          </div>
        ) : (
          <p className="text-sm text-muted-foreground">
            {departments.isPending ? t('common.loading') : t('users.noDepartments')}
          </p>
        )}
        {errors.departments ? (
          <p role="alert" className="text-xs font-medium text-destructive">
            {errors.departments}
          </p>
        ) : null}
      </fieldset>
    </FormDialog>
  );
}
