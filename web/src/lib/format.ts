/** Dates for people, in the UI language (Intl: no date library in the bundle). */

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** Conversation-list style: "14:05" today, "Ontem"/"Yesterday", weekday this week, else date. */
export function formatListTime(
  iso: string | null | undefined,
  language: string,
  labels: { yesterday: string },
  now = new Date(),
): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  if (sameDay(date, now)) {
    return new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit' }).format(date);
  }
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (sameDay(date, yesterday)) return labels.yesterday;
  const days = (now.getTime() - date.getTime()) / 86_400_000;
  if (days < 7 && days > 0) {
    return new Intl.DateTimeFormat(language, { weekday: 'short' }).format(date);
  }
  return new Intl.DateTimeFormat(language, { day: '2-digit', month: '2-digit', year: '2-digit' }).format(date);
}

export function formatDateTime(iso: string | null | undefined, language: string): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat(language, { dateStyle: 'short', timeStyle: 'short' }).format(date);
}
