import { EyeIcon, EyeOffIcon, InfoIcon } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { authLogin } from '@/client';
import { errorMessage, fieldMessages } from '@/api/errorMessages';
import { isApiError } from '@/api/errors';
import { applySession } from '@/auth/session';
import { useAuth } from '@/auth/store';
import { Logo } from '@/components/Logo';
import { Spinner } from '@/components/Spinner';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { toast } from '@/components/ui/toast';
import { adoptUserLocale } from '@/i18n';
import { LanguageSwitch } from '../shell/LanguageSwitch';

/** Only same-site paths: `next` comes from the URL and must not send anyone elsewhere. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/login')) {
    return '/inbox';
  }
  return next;
}

export function LoginPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const status = useAuth((state) => state.status);
  const endReason = useAuth((state) => state.endReason);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const [pending, setPending] = useState(false);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const next = safeNext(params.get('next'));

  if (status === 'authenticated' && !pending) return <Navigate to={next} replace />;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!email.trim()) missing.email = t('validation.required');
    if (!password) missing.password = t('validation.required');
    setFields(missing);
    setFormError(null);
    if (Object.keys(missing).length > 0) return;
    setPending(true);
    try {
      const { data } = await authLogin({ body: { email: email.trim(), password } });
      applySession(data);
      adoptUserLocale(data.user.locale);
      navigate(next, { replace: true });
    } catch (error) {
      const byField = fieldMessages(t, error);
      setFields(byField);
      const message = errorMessage(t, error);
      // Field problems are shown beside the fields; anything else above the form and as a toast.
      if (Object.keys(byField).length === 0) {
        setFormError(message);
        if (!isApiError(error) || error.status !== 401) toast.error(message);
      }
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="flex min-h-full flex-col bg-background">
      <div className="absolute inset-x-0 top-0 h-56 bg-header sm:h-64" aria-hidden="true" />
      <main className="relative mx-auto flex w-full max-w-md flex-1 flex-col px-4 pt-10 pb-10 sm:pt-20">
        <div className="mb-6 flex items-center justify-between text-header-foreground">
          <div className="flex items-center gap-2">
            <Logo className="size-8" />
            <span className="text-xl font-semibold tracking-tight">Nexus</span>
          </div>
          <LanguageSwitch variant="header" />
        </div>
        <div className="rounded-lg border bg-card p-6 shadow-lg sm:p-8">
          <h1 className="text-2xl font-semibold">{t('login.title')}</h1>
          <p className="mt-1 text-sm text-muted-foreground">{t('login.subtitle')}</p>

          {endReason === 'expired' ? (
            <p
              role="status"
              className="mt-4 flex gap-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900"
            >
              <InfoIcon className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
              {t('login.sessionExpired')}
            </p>
          ) : null}
          {formError ? (
            <p
              role="alert"
              className="mt-4 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900"
            >
              {formError}
            </p>
          ) : null}

          <form className="mt-6 grid gap-4" onSubmit={onSubmit} noValidate>
            <Field label={t('login.email')} error={fields.email}>
              <Input
                type="email"
                name="email"
                autoComplete="username"
                inputMode="email"
                value={email}
                onChange={(event) => setEmail(event.target.value)}
                // The page has one job; starting in the e-mail field is what users expect.
                // eslint-disable-next-line jsx-a11y/no-autofocus
                autoFocus
              />
            </Field>
            <Field label={t('login.password')} error={fields.password}>
              {(control) => (
                <div className="relative">
                  <Input
                    {...control}
                    type={showPassword ? 'text' : 'password'}
                    name="password"
                    autoComplete="current-password"
                    value={password}
                    onChange={(event) => setPassword(event.target.value)}
                    className="pr-10"
                  />
                  <button
                    type="button"
                    className="absolute inset-y-0 right-0 flex w-10 items-center justify-center text-muted-foreground hover:text-foreground"
                    onClick={() => setShowPassword((shown) => !shown)}
                    aria-label={showPassword ? t('login.hidePassword') : t('login.showPassword')}
                    aria-pressed={showPassword}
                  >
                    {showPassword ? (
                      <EyeOffIcon className="size-4" aria-hidden="true" />
                    ) : (
                      <EyeIcon className="size-4" aria-hidden="true" />
                    )}
                  </button>
                </div>
              )}
            </Field>
            <Button type="submit" size="lg" className="mt-2 w-full" disabled={pending}>
              {pending ? <Spinner /> : null}
              {pending ? t('login.submitting') : t('login.submit')}
            </Button>
          </form>
        </div>
      </main>
    </div>
  );
}
