// validate.js: the hotline catalogue's value rules (src/hotline/catalogue.c,
// docs/hotline-messages.md §2) for the compose form, so that the operator
// is told which field is wrong before sending. The daemon checks again and
// has the last word; these functions mirror its rules and nothing more.

const TEXT_MAX = 4096;

// hl_text_ok: no C0 control but TAB and LF (free text only), no DEL, no C1,
// no bidi embeddings/overrides/isolates.
export function textOk(s, freeText) {
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (c < 0x20 && !(freeText && (c === 9 || c === 10))) return false;
    if (c === 0x7f || (c >= 0x80 && c <= 0x9f)) return false;
    if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return false;
    if (c >= 0xd800 && c <= 0xdfff) return false; // lone surrogate: not UTF-8
  }
  return true;
}

const utf8Len = (s) => new TextEncoder().encode(s).length;

// parse_deg: -?d{1,4}(.d{1,9})?
const DEG = '-?[0-9]{1,4}(?:\\.[0-9]{1,9})?';
const POS_RE = new RegExp(`^(${DEG}),(${DEG})$`);

export function positionOk(s) {
  const m = POS_RE.exec(s);
  if (!m) return false;
  const lat = Number(m[1]), lon = Number(m[2]);
  return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180;
}

export function areaOk(s) {
  const parts = s.split(';');
  return parts.length >= 3 && parts.length <= 64 && parts.every(positionOk);
}

export const trackOk = (s) => /^[A-Za-z0-9_.:/-]{1,32}$/.test(s);

const MDAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const leap = (y) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

// parse_iso: YYYY-MM-DDTHH:MM:SS[.mmm]Z, a date and time that exist, >= 1970.
// Returns UTC ms or null.
export function parseTime(s) {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{3}))?Z$/.exec(s);
  if (!m) return null;
  const [Y, M, D, h, mi, sec] = m.slice(1, 7).map(Number);
  const ms = m[7] ? Number(m[7]) : 0;
  if (Y < 1970 || M < 1 || M > 12 || D < 1 || h > 23 || mi > 59 || sec > 59) return null;
  if (D > MDAYS[M - 1] + (M === 2 && leap(Y) ? 1 : 0)) return null;
  return Date.UTC(Y, M - 1, D, h, mi, sec, ms);
}

const INT_RE = /^-?[0-9]+$/;
function intOk(s) {
  if (!INT_RE.test(s)) return false;
  try {
    const v = BigInt(s);
    return v >= -(2n ** 63n) && v < 2n ** 63n;
  } catch { return false; }
}

// One field's value as typed (a string; '' is "absent"). Returns null when
// good, else a reason code for i18n ('required', 'int', 'seq', 'time',
// 'track', 'position', 'area', 'enum', 'text', 'long').
export function checkField(spec, raw) {
  const v = raw ?? '';
  if (v === '') return spec.required ? 'required' : null;
  switch (spec.type) {
    case 'int': return intOk(v) ? null : 'int';
    case 'seq': return intOk(v) && BigInt(v) >= 1n ? null : 'seq';
    case 'time': return parseTime(v) !== null ? null : 'time';
    case 'track': return trackOk(v) ? null : 'track';
    case 'position': return positionOk(v) ? null : 'position';
    case 'area': return areaOk(v) ? null : 'area';
    case 'enum': return spec.enums && spec.enums.includes(v) ? null : 'enum';
    default:
      if (utf8Len(v) > TEXT_MAX) return 'long';
      // the catalogue's `text` type allows TAB and LF
      return textOk(v, true) ? null : 'text';
  }
}

// The whole form: {field: reason} for the bad ones (empty object: good),
// and the request's fields, absent ones left out. Every value goes as the
// string typed: the daemon parses it by the field's type (hl_msg_add_text),
// so a 64-bit integer is never rounded by a JavaScript number. Values of
// the structured types are trimmed; free text is sent as typed.
export function checkForm(typeSpec, common, values) {
  const errors = {};
  const fields = {};
  for (const spec of [...typeSpec.fields, ...common]) {
    let v = String(values[spec.name] ?? '');
    if (spec.type !== 'text') v = v.trim();
    const why = checkField(spec, v);
    if (why) errors[spec.name] = why;
    else if (v !== '') fields[spec.name] = v;
  }
  return { errors, fields };
}

// UTC ms -> the form's text for a time field.
export function timeText(ms) {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}
