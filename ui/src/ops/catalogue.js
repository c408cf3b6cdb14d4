// catalogue.js: the hotline catalogue (catalogue.gen.js, generated from
// src/hotline/catalogue.c) as the console uses it: titles, field labels and
// enum words in English and Russian, and a preview of a message's text as
// the daemon renders it (hl_render_body: {field} filled, times as ISO 8601
// UTC, Russian words for enum codes, "—" for an absent field).
import { catalogue } from './catalogue.gen.js';
import { parseTime } from './validate.js';

const byName = new Map(catalogue.types.map((ty) => [ty.name, ty]));

export const types = catalogue.types;
export const commonFields = catalogue.common;

export function typeSpec(name) { return byName.get(name) || null; }

export function typeTitle(name, lang) {
  const ty = byName.get(name);
  if (!ty) return name;
  return lang === 'ru' ? ty.ru : ty.en;
}

export function fieldSpec(ty, name) {
  return (ty && ty.fields.find((f) => f.name === name)) || commonFields.find((f) => f.name === name) || null;
}

export function fieldLabel(spec, lang) { return lang === 'ru' ? spec.ru : spec.en; }

export function enumWord(spec, code, lang) {
  if (lang !== 'ru' || !spec.enumsRu) return code;
  const i = spec.enums.indexOf(code);
  return i >= 0 && spec.enumsRu[i] ? spec.enumsRu[i] : code;
}

function valueText(spec, v, lang) {
  if (v == null || v === '') return '—';
  if (spec.type === 'time') {
    const ms = typeof v === 'number' ? v : parseTime(String(v)) ?? Number(v);
    return Number.isFinite(ms) && ms >= 0 ? new Date(ms).toISOString() : String(v);
  }
  if (spec.type === 'enum') return enumWord(spec, String(v), lang);
  return String(v);
}

/** The message body as the peer will read it, in lang ('en' | 'ru'). */
export function renderBody(typeName, fields, lang) {
  const ty = byName.get(typeName);
  if (!ty) return '';
  const tpl = lang === 'ru' ? ty.tplRu : ty.tplEn;
  let s = tpl.replace(/\{([a-z0-9_]+)\}/g, (m, k) => {
    const spec = fieldSpec(ty, k);
    return spec ? valueText(spec, fields[k], lang) : m;
  });
  if (fields.text) s += `\n${lang === 'ru' ? 'Текст' : 'Text'}: ${fields.text}`;
  return s;
}

/** Who has to answer a case: its reply type's title. */
export function replyOf(typeName) {
  const ty = byName.get(typeName);
  return ty ? ty.reply : null;
}
