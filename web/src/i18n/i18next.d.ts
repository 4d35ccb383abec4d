import 'i18next';
import type ptBR from './locales/pt-BR.json';

// Translation keys are checked at compile time against the Portuguese file (the default).
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof ptBR };
  }
}
