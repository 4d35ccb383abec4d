import { cn } from '@/lib/utils';

/** The Nexus mark (the same drawing as the favicon). */
export function Logo({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" className={cn('size-7', className)} aria-hidden="true">
      <rect width="32" height="32" rx="8" fill="currentColor" opacity="0.18" />
      <path d="M9 23V9h3l8 9.5V9h3v14h-3l-8-9.5V23z" fill="currentColor" />
    </svg>
  );
}
