import { describe, expect, it } from 'vitest';
import en from './locales/en.json';
import ptBR from './locales/pt-BR.json';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => keys(child, prefix ? `${prefix}.${key}` : key));
}

describe('translations', () => {
  it('pt-BR and en have the same keys', () => {
    expect(keys(en).sort()).toEqual(keys(ptBR).sort());
  });

  it('have no empty strings', () => {
    const empty = (object: unknown) =>
      keys(object).filter((key) => {
        const value = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], object);
        return typeof value !== 'string' || value.trim() === '';
      });
    expect(empty(ptBR)).toEqual([]);
    expect(empty(en)).toEqual([]);
  });
});
