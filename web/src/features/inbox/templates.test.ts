import { describe, expect, it } from 'vitest';
import type { TemplateRead } from '@/client';
import { fillTemplate, missingParameters, templateComponents, templateFields, templatePreview } from './templates';

const order: TemplateRead = {
  name: 'order_update',
  language: 'pt_BR',
  category: 'UTILITY',
  header_format: 'text',
  header: 'Seu pedido',
  header_parameters: [],
  body: 'Olá {{1}}, o pedido {{2}} saiu. {{1}}, obrigado!',
  footer: 'Loja X',
  parameters: ['1', '2'],
  named_parameters: false,
  buttons: [],
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

  it('fills the header variable, the media link and the buttons at their indexes', () => {
    const promo: TemplateRead = {
      ...order,
      header: 'Promoção {{1}}',
      header_parameters: ['1'],
      parameters: ['1'],
      body: 'Oi {{1}}',
      buttons: [
        { index: 1, type: 'url', text: 'Ver', url: 'https://loja.example/{{1}}' },
        { index: 2, type: 'copy_code', text: '' },
      ],
    };
    const values = { 'header:1': 'de Natal', 1: 'Ana', 'button:1': 'natal', 'button:2': 'NATAL10' };
    expect(templateFields(promo).map((field) => field.key)).toEqual(['header:1', '1', 'button:1', 'button:2']);
    expect(templateComponents(promo, values)).toEqual([
      { type: 'header', parameters: [{ type: 'text', text: 'de Natal' }] },
      { type: 'body', parameters: [{ type: 'text', text: 'Ana' }] },
      { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'natal' }] },
      { type: 'button', sub_type: 'copy_code', index: '2', parameters: [{ type: 'coupon_code', coupon_code: 'NATAL10' }] },
    ]);
    expect(templatePreview(promo, values)).toBe('Promoção de Natal\n\nOi Ana\n\nLoja X');
    expect(missingParameters(promo, { ...values, 'button:2': ' ' })).toEqual(['button:2']);

    const image: TemplateRead = { ...order, header_format: 'image', header: null, parameters: [], body: 'Oferta' };
    expect(missingParameters(image, { 'header:media': 'foto.jpg' })).toEqual(['header:media']);
    expect(templateComponents(image, { 'header:media': ' https://cdn.example/p.jpg ' })).toEqual([
      { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example/p.jpg' } }] },
    ]);
  });

  it('previews header, body and footer as the customer reads them', () => {
    expect(templatePreview(order, { 1: 'Ana', 2: '#4521' })).toBe(
      'Seu pedido\n\nOlá Ana, o pedido #4521 saiu. Ana, obrigado!\n\nLoja X',
    );
    expect(templatePreview(named, { customer: 'Ana' })).toBe('Oi Ana! Podemos continuar?');
  });
});
