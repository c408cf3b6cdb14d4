// gen-catalogue.mjs: the hotline catalogue for the console, read from
// src/hotline/catalogue.c (the one table the daemon checks messages with),
// written to src/ops/catalogue.gen.js. The API offers no catalogue, so the
// console mirrors it; `node tools/gen-catalogue.mjs --check` (run by the e2e
// suite) fails when the mirror is older than the C table.
//
// It reads the C source as tokens (string literals joined as C joins them,
// identifiers, numbers, punctuation), so formatting changes do not matter;
// it understands exactly the two forms the table uses: the field arrays
// `static const struct hl_field_spec f_x[] = {{...}, ...};` and the type
// entries `[HL_T_X] = {T(X, f_x), HL_DL_..., HL_T_REPLY, deadline, field,
// notice, "title", "заголовок", "template", "шаблон"}`.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, '../../src/hotline/catalogue.c');
const out = join(here, '../src/ops/catalogue.gen.js');

function unescapeC(s) {
  return s.replace(/\\(n|t|\\|"|')/g, (_, c) => ({ n: '\n', t: '\t', '\\': '\\', '"': '"', "'": "'" })[c]);
}

function tokenize(text) {
  const toks = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) { i++; continue; }
    if (text.startsWith('/*', i)) { i = text.indexOf('*/', i + 2) + 2; continue; }
    if (text.startsWith('//', i)) { i = text.indexOf('\n', i); if (i < 0) break; continue; }
    if (c === '#') { // preprocessor line (with continuations)
      while (i < text.length && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1, s = '';
      while (text[j] !== '"') { if (text[j] === '\\') { s += text.slice(j, j + 2); j += 2; } else s += text[j++]; }
      const v = unescapeC(s);
      const last = toks[toks.length - 1];
      if (last && last.t === 'str') last.v += v; else toks.push({ t: 'str', v });
      i = j + 1;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*|^[0-9]+[A-Za-z]*/.exec(text.slice(i, i + 64));
    if (m) { toks.push({ t: /^[0-9]/.test(m[0]) ? 'num' : 'id', v: m[0] }); i += m[0].length; continue; }
    toks.push({ t: 'p', v: c });
    i++;
  }
  return toks;
}

// Split the tokens of one brace group's contents into top-level items.
function items(toks, start) {
  // toks[start] is '{'; returns [items (arrays of tokens), index after '}']
  const res = [];
  let cur = [], depth = 0, i = start + 1;
  for (; i < toks.length; i++) {
    const k = toks[i];
    if (k.t === 'p' && (k.v === '{' || k.v === '(')) depth++;
    if (k.t === 'p' && (k.v === '}' || k.v === ')')) {
      if (depth === 0) break;
      depth--;
    }
    if (depth === 0 && k.t === 'p' && k.v === ',') { res.push(cur); cur = []; continue; }
    cur.push(k);
  }
  if (cur.length) res.push(cur);
  return [res, i + 1];
}

const MUL = { MIN_MS: 60e3, HOUR_MS: 3600e3, DAY_MS: 86400e3 };
function evalNum(ts) {
  // "0", "5 * MIN_MS", "48 * HOUR_MS", "3 * DAY_MS", "NULL"
  let v = 1, any = false;
  for (const k of ts) {
    if (k.t === 'num') { v *= parseInt(k.v, 10); any = true; }
    else if (k.t === 'id' && MUL[k.v]) { v *= MUL[k.v]; any = true; }
    else if (k.t === 'id' && k.v === 'NULL') return null;
  }
  return any ? v : null;
}
const strOrNull = (ts) => (ts.length === 1 && ts[0].t === 'str' ? ts[0].v : null);

const FTYPE = { HL_F_TEXT: 'text', HL_F_INT: 'int', HL_F_TIME: 'time', HL_F_SEQ: 'seq',
  HL_F_TRACK: 'track', HL_F_POS: 'position', HL_F_AREA: 'area', HL_F_ENUM: 'enum' };

export function parseCatalogue(text) {
  const toks = tokenize(text);
  const arrays = {};
  const types = [];
  for (let i = 0; i < toks.length; i++) {
    // field arrays: hl_field_spec NAME [ ] = {
    if (toks[i].v === 'hl_field_spec' && toks[i + 1]?.t === 'id' && toks[i + 2]?.v === '[') {
      const name = toks[i + 1].v;
      let j = i + 2;
      while (toks[j].v !== '{') j++;
      const [rows, next] = items(toks, j);
      arrays[name] = rows.map((r) => {
        const [f] = items(r, 0);
        const enums = strOrNull(f[3]), enumsRu = strOrNull(f[4]);
        return {
          name: f[0][0].v, type: FTYPE[f[1][0].v], required: f[2][0].v === 'REQ',
          enums: enums ? enums.split('|') : null, enumsRu: enumsRu ? enumsRu.split('|') : null,
          en: f[5][0].v, ru: f[6][0].v,
        };
      });
      i = next - 1;
    }
    // type entries: [ HL_T_X ] = { T ( X , f_x ) , ...
    if (toks[i].v === '[' && /^HL_T_/.test(toks[i + 1]?.v || '') && toks[i + 2]?.v === ']' &&
        toks[i + 3]?.v === '=' && toks[i + 4]?.v === '{' && toks[i + 5]?.v === 'T') {
      const [f, next] = items(toks, i + 4);
      const tArgs = f[0]; // T ( NAME , ARR )
      const name = tArgs[2].v, arr = tArgs[4].v;
      types.push({
        name, fields: arr, deadlineKind: f[1][0].v.replace('HL_DL_', '').toLowerCase(),
        reply: f[2][0].v === 'HL_T_NONE' ? null : f[2][0].v.replace('HL_T_', ''),
        deadlineMs: evalNum(f[3]) || 0, deadlineField: strOrNull(f[4]), noticeMs: evalNum(f[5]) || 0,
        en: f[6][0].v, ru: f[7][0].v, tplEn: f[8][0].v, tplRu: f[9][0].v,
      });
      i = next - 1;
    }
  }
  const common = arrays.hl_common_fields || [];
  return {
    common,
    types: types.map((t) => ({ ...t, fields: arrays[t.fields] || [] })),
  };
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const cat = parseCatalogue(readFileSync(src, 'utf8'));
  if (cat.types.length < 10) throw new Error(`only ${cat.types.length} types read from ${src}`);
  const body = '// Generated by tools/gen-catalogue.mjs from src/hotline/catalogue.c: do not edit.\n' +
    `export const catalogue = ${JSON.stringify(cat, null, 1)};\n`;
  if (process.argv.includes('--check')) {
    let old = '';
    try { old = readFileSync(out, 'utf8'); } catch { /* missing */ }
    if (old !== body) {
      console.error('ui/src/ops/catalogue.gen.js is older than src/hotline/catalogue.c: run node ui/tools/gen-catalogue.mjs');
      process.exit(1);
    }
    console.log(`catalogue mirror current (${cat.types.length} types)`);
  } else {
    writeFileSync(out, body);
    console.log(`${out}: ${cat.types.length} types`);
  }
}
