import { PlusIcon, XIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { BusinessHours } from '@/client';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Switch } from '@/components/ui/switch';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
type Interval = [string, string];
export type WeeklyHours = Partial<Record<Weekday, Interval[]>>;

/** Monday to Friday, 08:00–18:00: the starting point when hours are switched on. */
export function defaultHours(): WeeklyHours {
  return { mon: [['08:00', '18:00']], tue: [['08:00', '18:00']], wed: [['08:00', '18:00']], thu: [['08:00', '18:00']], fri: [['08:00', '18:00']] };
}

export function fromApi(hours: Record<string, unknown> | BusinessHours | undefined): {
  enabled: boolean;
  timezone: string;
  days: WeeklyHours;
} {
  const value = (hours ?? {}) as BusinessHours;
  const days: WeeklyHours = {};
  for (const day of WEEKDAYS) {
    const intervals = value.days?.[day];
    if (intervals && intervals.length > 0) days[day] = intervals.map(([from, to]) => [from, to]);
  }
  return { enabled: Object.keys(days).length > 0, timezone: value.timezone ?? '', days };
}

export function toApi(enabled: boolean, timezone: string, days: WeeklyHours): BusinessHours {
  if (!enabled) return { days: {} };
  const out: Record<string, Interval[]> = {};
  for (const day of WEEKDAYS) {
    const intervals = days[day];
    if (intervals && intervals.length > 0) out[day] = intervals;
  }
  return { days: out, ...(timezone.trim() ? { timezone: timezone.trim() } : {}) };
}

/** A weekly schedule. Departments have their own time zone in it; the company's schedule
 *  leaves `timezone` out (its time zone is a company setting) and names the switch itself. */
export function BusinessHoursEditor({
  enabled,
  timezone,
  days,
  error,
  switchTexts,
  onChange,
}: {
  enabled: boolean;
  timezone?: string;
  days: WeeklyHours;
  error?: string;
  switchTexts?: { label: string; on: string; off: string };
  onChange: (next: { enabled: boolean; timezone: string; days: WeeklyHours }) => void;
}) {
  const { t } = useTranslation();
  const toggle = switchTexts ?? {
    label: t('departments.ownHours'),
    on: t('departments.ownHoursOn'),
    off: t('departments.ownHoursOff'),
  };

  function setDay(day: Weekday, intervals: Interval[] | undefined) {
    const next = { ...days };
    if (intervals && intervals.length > 0) next[day] = intervals;
    else delete next[day];
    onChange({ enabled, timezone: timezone ?? '', days: next });
  }

  return (
    <fieldset className="grid gap-3 rounded-md border p-3">
      <legend className="px-1 text-sm font-medium">{t('departments.businessHours')}</legend>
      <label className="flex items-center justify-between gap-3 text-sm">
        <span>
          {toggle.label}
          <span className="block text-xs text-muted-foreground">{enabled ? toggle.on : toggle.off}</span>
        </span>
        <Switch
          checked={enabled}
          onCheckedChange={(on) =>
            onChange({
              enabled: on,
              timezone: timezone ?? '',
              days: on && Object.keys(days).length === 0 ? defaultHours() : days,
            })
          }
          aria-label={toggle.label}
        />
      </label>
      {enabled ? (
        <>
          {timezone === undefined ? null : (
          <div className="grid gap-1.5">
            <label htmlFor="bh-timezone" className="text-sm font-medium">
              {t('departments.timezone')}
            </label>
            <Input
              id="bh-timezone"
              value={timezone}
              placeholder="America/Sao_Paulo"
              onChange={(event) => onChange({ enabled, timezone: event.target.value, days })}
              aria-describedby="bh-timezone-hint"
            />
            <p id="bh-timezone-hint" className="text-xs text-muted-foreground">
              {t('departments.timezoneHint')}
            </p>
          </div>
          )}
          <ul className="grid gap-2">
            {WEEKDAYS.map((day) => {
              const intervals = days[day] ?? [];
              const open = intervals.length > 0;
              const dayName = t(`weekdays.${day}`);
              return (
                <li key={day} className="grid grid-cols-[6.5rem_1fr] items-start gap-2">
                  <label className="flex h-9 items-center gap-2 text-sm">
                    <input
                      type="checkbox"
                      className="size-4 accent-(--color-primary)"
                      checked={open}
                      onChange={(event) => setDay(day, event.target.checked ? [['08:00', '18:00']] : undefined)}
                    />
                    {dayName}
                  </label>
                  {open ? (
                    <div className="grid gap-1.5">
                      {intervals.map(([from, to], index) => (
                        <div key={index} className="flex items-center gap-1.5">
                          <Input
                            type="time"
                            className="w-28"
                            value={from}
                            aria-label={t('departments.opensAt', { day: dayName })}
                            onChange={(event) =>
                              setDay(day, intervals.map((pair, i) => (i === index ? [event.target.value, pair[1]] : pair)))
                            }
                          />
                          <span aria-hidden="true">–</span>
                          <Input
                            type="time"
                            className="w-28"
                            value={to}
                            aria-label={t('departments.closesAt', { day: dayName })}
                            onChange={(event) =>
                              setDay(day, intervals.map((pair, i) => (i === index ? [pair[0], event.target.value] : pair)))
                            }
                          />
                          <Button
                            variant="ghost"
                            size="icon-sm"
                            aria-label={t('departments.removeInterval', { day: dayName })}
                            onClick={() => setDay(day, intervals.filter((_, i) => i !== index))}
                          >
                            <XIcon aria-hidden="true" />
                          </Button>
                          {index === intervals.length - 1 ? (
                            <Button
                              variant="ghost"
                              size="icon-sm"
                              aria-label={t('departments.addInterval', { day: dayName })}
                              onClick={() => setDay(day, [...intervals, ['13:00', '18:00']])}
                            >
                              <PlusIcon aria-hidden="true" />
                            </Button>
                          ) : null}
                        </div>
                      ))}
                    </div>
                  ) : (
                    <span className="flex h-9 items-center text-sm text-muted-foreground">{t('departments.closed')}</span>
                  )}
                </li>
              );
            })}
          </ul>
        </>
      ) : null}
      {error ? (
        <p role="alert" className="text-xs font-medium text-destructive">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
