import { describe, expect, it } from 'vitest';
import type { TemplateRead } from '@/client';
import { fillTemplate, missingParameters, templateComponents, templatePreview } from './templates';

const order: TemplateRead = {
  name: 'order_update',
  language: 'pt_BR',
  category: 'UTILITY',
  header: 'Seu pedido',
  body: 'Olá {{1}}, o pedido {{2}} saiu. {{1}}, obrigado!',
  footer: 'Loja X',
  parameters: ['1', '2'],
  named_parameters: false,
  supported: true,
};
const named: TemplateRead = {
  ...order,
  name: 'retomar_contato',
  header: null,
  footer: null,
  body: 'Oi {{ customer }}! Podemos continuar?',
  parameters: ['customer'],
  named_parameters: true,
};

describe('templates', () => {
  it('fills every occurrence of a variable and leaves unfilled ones visible', () => {
    expect(fillTemplate(order.body, { 1: 'Ana' })).toBe('Olá Ana, o pedido {{2}} saiu. Ana, obrigado!');
    expect(fillTemplate(named.body, { customer: 'Ana' })).toBe('Oi Ana! Podemos continuar?');
  });

  it('sends positional values in order and named values with their names, on one line', () => {
    expect(templateComponents(order, { 2: '#4521', 1: ' Ana\n Maria ' })).toEqual([
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'Ana Maria' },
          { type: 'text', text: '#4521' },
        ],
      },
    ]);
    expect(templateComponents(named, { customer: 'Ana' })).toEqual([
      { type: 'body', parameters: [{ type: 'text', parameter_name: 'customer', text: 'Ana' }] },
    ]);
    expect(templateComponents({ ...order, parameters: [] }, {})).toEqual([]);
  });

  it('says which values are missing', () => {
    expect(missingParameters(order, { 1: 'Ana', 2: '   ' })).toEqual(['2']);
    expect(missingParameters(named, { customer: 'Ana' })).toEqual([]);
  });

  it('previews header, body and footer as the customer reads them', () => {
    expect(templatePreview(order, { 1: 'Ana', 2: '#4521' })).toBe(
      'Seu pedido\n\nOlá Ana, o pedido #4521 saiu. Ana, obrigado!\n\nLoja X',
    );
    expect(templatePreview(named, { customer: 'Ana' })).toBe('Oi Ana! Podemos continuar?');
  });
});
