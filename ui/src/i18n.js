// English and Russian for the whole console; times always in UTC.
//
//   t('key', {n: 3})     the text in the current language, {n} replaced;
//                        a missing key falls back to English, then the key
//   add({en:{...}, ru:{...}})   a pane adds its own keys (prefix them: 'alerts.')
//   apply(root)          fills every [data-i18n] element's text (and
//                        [data-i18n-title] titles, [data-i18n-ph] placeholders)
//   onChange(fn)         called after setLang(); re-render your texts there
//   fmtUtc(ms), fmtAge(s), fmtTime(ms)

const dict = {
  en: {
    'app.title': 'cairn',
    'app.logout': 'Log out',
    'lang.other': 'RU',
    'login.sub': 'Coordination centre — operators\' console',
    'login.user': 'Operator',
    'login.password': 'Password',
    'login.submit': 'Log in',
    'login.wrong': 'Wrong operator name or password.',
    'login.limited': 'Too many attempts: try again in {s} s.',
    'login.busy': 'The centre is busy: try again.',
    'login.failed': 'Login failed: {e}',
    'status.live': 'LIVE',
    'status.offline': 'NO LIVE DATA',
    'status.tracks': '{n} tracks',
    'status.picture': 'picture {t}',
    'status.link.up': 'link up',
    'status.link.down': 'LINK DOWN',
    'status.link.unknown': 'link ?',
    'status.age': 'picture age {a}',
    'status.age.none': 'no picture',
    'status.nohotline': 'no hotline',
    'tab.tracks': 'Tracks',
    'tab.track': 'Track',
    'tab.alerts': 'Alerts',
    'tab.hotline': 'Hotline',
    'tab.compliance': 'Reciprocity',
    'tab.sensors': 'Sensors',
    'pane.placeholder': 'Not built yet.',
    'cls.civil': 'civil (cooperative)',
    'cls.military': 'military',
    'cls.noxpdr': 'NO TRANSPONDER',
    'cls.vessel': 'vessel',
    'cls.peer': 'peer {p}',
    'map.legend': 'Legend',
    'map.trails': 'Trails',
    'map.labels': 'Labels',
    'map.zones': 'Zones',
    'map.zone.active': 'active {from} – {to}',
    'map.exchange': 'exchange area {p}',
    'track.none': 'Click a track on the map.',
    'track.id': 'Track',
    'track.class': 'Class',
    'track.identities': 'Identities',
    'track.icao': 'ICAO address',
    'track.callsign': 'Callsign',
    'track.squawk': 'Mode A code',
    'track.mmsi': 'MMSI',
    'track.position': 'Position',
    'track.alt': 'Altitude',
    'track.gs': 'Ground speed',
    'track.hdg': 'Track',
    'track.vrate': 'Vertical rate',
    'track.status': 'Status',
    'track.sources': 'Sources (age)',
    'track.sensors': 'Sensors',
    'track.compliance': 'Compliance',
    'track.transponder': 'Transponder',
    'track.flight_plan': 'Flight plan',
    'track.radio': 'Radio contact',
    'track.operator': 'Operator',
    'track.emergency': 'Emergency',
    'track.history': 'Recent history',
    'track.first': 'First seen',
    'track.last': 'Last update',
    'track.query': 'Query the peer',
    'track.radio.set': 'Set radio contact',
    'track.radio.done': 'Radio contact recorded.',
    'track.query.done': 'TRACK_QUERY drafted: see the hotline.',
    'track.action.failed': 'Failed: {e}',
    'track.gone': 'The track has ended.',
    'tri.yes': 'yes',
    'tri.no': 'NO',
    'tri.unknown': 'unknown',
    'ago': '{a} ago',
  },
  ru: {
    'app.title': 'cairn',
    'app.logout': 'Выйти',
    'lang.other': 'EN',
    'login.sub': 'Координационный центр — консоль оператора',
    'login.user': 'Оператор',
    'login.password': 'Пароль',
    'login.submit': 'Войти',
    'login.wrong': 'Неверное имя оператора или пароль.',
    'login.limited': 'Слишком много попыток: повторите через {s} с.',
    'login.busy': 'Центр занят: повторите попытку.',
    'login.failed': 'Вход не удался: {e}',
    'status.live': 'В ЭФИРЕ',
    'status.offline': 'НЕТ ДАННЫХ',
    'status.tracks': 'трасс: {n}',
    'status.picture': 'обстановка {t}',
    'status.link.up': 'связь есть',
    'status.link.down': 'НЕТ СВЯЗИ',
    'status.link.unknown': 'связь ?',
    'status.age': 'возраст обстановки {a}',
    'status.age.none': 'нет обстановки',
    'status.nohotline': 'нет горячей линии',
    'tab.tracks': 'Трассы',
    'tab.track': 'Трасса',
    'tab.alerts': 'Тревоги',
    'tab.hotline': 'Горячая линия',
    'tab.compliance': 'Взаимность',
    'tab.sensors': 'Датчики',
    'pane.placeholder': 'Ещё не готово.',
    'cls.civil': 'гражданское (кооперативное)',
    'cls.military': 'военное',
    'cls.noxpdr': 'БЕЗ ОТВЕТЧИКА',
    'cls.vessel': 'судно',
    'cls.peer': 'партнёр {p}',
    'map.legend': 'Условные знаки',
    'map.trails': 'Следы',
    'map.labels': 'Подписи',
    'map.zones': 'Зоны',
    'map.zone.active': 'действует {from} – {to}',
    'map.exchange': 'зона обмена {p}',
    'track.none': 'Выберите трассу на карте.',
    'track.id': 'Трасса',
    'track.class': 'Класс',
    'track.identities': 'Опознавание',
    'track.icao': 'Адрес ИКАО',
    'track.callsign': 'Позывной',
    'track.squawk': 'Код режима A',
    'track.mmsi': 'MMSI',
    'track.position': 'Положение',
    'track.alt': 'Высота',
    'track.gs': 'Путевая скорость',
    'track.hdg': 'Путевой угол',
    'track.vrate': 'Вертикальная скорость',
    'track.status': 'Состояние',
    'track.sources': 'Источники (возраст)',
    'track.sensors': 'Датчики',
    'track.compliance': 'Соблюдение правил',
    'track.transponder': 'Ответчик',
    'track.flight_plan': 'План полёта',
    'track.radio': 'Радиосвязь',
    'track.operator': 'Поведение',
    'track.emergency': 'Бедствие',
    'track.history': 'Недавняя история',
    'track.first': 'Впервые',
    'track.last': 'Обновлено',
    'track.query': 'Запросить партнёра',
    'track.radio.set': 'Отметить радиосвязь',
    'track.radio.done': 'Радиосвязь отмечена.',
    'track.query.done': 'TRACK_QUERY подготовлен: см. горячую линию.',
    'track.action.failed': 'Ошибка: {e}',
    'track.gone': 'Трасса завершена.',
    'tri.yes': 'да',
    'tri.no': 'НЕТ',
    'tri.unknown': 'неизвестно',
    'ago': '{a} назад',
  },
};

const LANG_KEY = 'cairn.lang';
let lang = localStorage.getItem(LANG_KEY) === 'ru' ? 'ru' : 'en';
const listeners = new Set();

export const languages = ['en', 'ru'];
export function getLang() { return lang; }

export function setLang(l) {
  if (!dict[l] || l === lang) return;
  lang = l;
  localStorage.setItem(LANG_KEY, l);
  document.documentElement.lang = l;
  apply(document);
  for (const fn of listeners) {
    try { fn(l); } catch (e) { console.error(e); }
  }
}

export function toggleLang() { setLang(lang === 'en' ? 'ru' : 'en'); }

export function onChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

export function add(more) {
  for (const l of Object.keys(more)) Object.assign(dict[l] || (dict[l] = {}), more[l]);
  apply(document);
}

/** The text of key in language l (default: the current one). */
export function t(key, params, l = lang) {
  let s = dict[l][key] ?? dict.en[key] ?? key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
  return s;
}

export function apply(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll('[data-i18n-ph]')) el.placeholder = t(el.dataset.i18nPh);
  for (const el of root.querySelectorAll('.lang-switch')) el.textContent = t('lang.other');
}

const p2 = (n) => String(n).padStart(2, '0');

/** "2026-12-04 23:41:07Z" (UTC, always). */
export function fmtUtc(ms) {
  if (ms == null || !Number.isFinite(ms)) return '—';
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}Z`;
}

/** "23:41:07Z" */
export function fmtTime(ms) {
  if (ms == null || !Number.isFinite(ms)) return '—';
  const d = new Date(ms);
  return `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}Z`;
}

/** An age or a duration in seconds: "4 s", "3 min 05 s", "2 h 10 min", "2 d 04 h". */
export function fmtAge(s) {
  if (s == null || !Number.isFinite(s)) return '—';
  const neg = s < 0;
  s = Math.abs(Math.round(s));
  const ru = lang === 'ru';
  const U = ru ? { s: 'с', m: 'мин', h: 'ч', d: 'сут' } : { s: 's', m: 'min', h: 'h', d: 'd' };
  let out;
  if (s < 60) out = `${s} ${U.s}`;
  else if (s < 3600) out = `${Math.floor(s / 60)} ${U.m} ${p2(s % 60)} ${U.s}`;
  else if (s < 86400) out = `${Math.floor(s / 3600)} ${U.h} ${p2(Math.floor(s / 60) % 60)} ${U.m}`;
  else out = `${Math.floor(s / 86400)} ${U.d} ${p2(Math.floor(s / 3600) % 24)} ${U.h}`;
  return neg ? `−${out}` : out;
}

document.documentElement.lang = lang;
