import { type ClassValue, clsx } from 'clsx';
import { twMerge } from 'tailwind-merge';

export function cn(...inputs: ClassValue[]): string {
  return twMerge(clsx(inputs));
}

/** Two-letter initials for avatars: "Ana Admin" → "AA", "+55 11 9…" → "#". */
export function initials(name: string | null | undefined): string {
  const words = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const letters = words.map((word) => word[0] ?? '').filter((c) => /\p{L}/u.test(c));
  if (letters.length === 0) return '#';
  return (letters[0]! + (letters.length > 1 ? letters[letters.length - 1]! : '')).toUpperCase();
}
