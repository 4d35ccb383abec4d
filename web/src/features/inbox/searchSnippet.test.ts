import { describe, expect, it } from 'vitest';
import { searchTerms, snippet } from './searchSnippet';

const marked = (parts: ReturnType<typeof snippet>) =>
  parts.map((part) => (part.match ? `[${part.text}]` : part.text)).join('');

describe('searchTerms', () => {
  it('splits the query into folded words, as the server does', () => {
    expect(searchTerms('  Segunda-VIA  do Boleto! ')).toEqual(['segunda', 'via', 'do', 'boleto']);
    expect(searchTerms('Ação')).toEqual(['acao']);
    expect(searchTerms('?!')).toEqual([]);
  });
});

describe('snippet', () => {
  it('marks every word that starts with a term, ignoring case and accents', () => {
    expect(marked(snippet('Meu BOLETO venceu; a boletagem e a ação falharam', 'bolet acao'))).toBe(
      'Meu [BOLETO] venceu; a [boletagem] e a [ação] falharam',
    );
  });

  it('does not mark a term found inside a word', () => {
    expect(marked(snippet('O reboleto não conta', 'boleto'))).toBe('O reboleto não conta');
  });

  it('shows a long text around its first match, cut at words', () => {
    const text = `${'palavra '.repeat(30)}o boleto chegou ${'depois '.repeat(30)}`;
    const result = marked(snippet(text, 'boleto', 60));
    expect(result.startsWith('…palavra')).toBe(true);
    expect(result).toContain('o [boleto] chegou');
    expect(result.endsWith('…')).toBe(true);
    expect(result.replace(/\[|\]/g, '').length).toBeLessThanOrEqual(62);
    expect(result).not.toMatch(/ …$/);
  });

  it('keeps a short text whole and joins lines', () => {
    expect(marked(snippet('Olá!\n\nO  boleto', 'boleto'))).toBe('Olá! O [boleto]');
  });

  it('starts at the beginning when the match is near it', () => {
    const text = `O boleto ${'texto '.repeat(40)}`;
    expect(marked(snippet(text, 'boleto', 40)).startsWith('O [boleto] texto')).toBe(true);
  });
});
