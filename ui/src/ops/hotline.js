// hotline.js: the hotline pane. Four views:
//   Cases    every case with its due time and a countdown on the hotline's
//            clock (48 h for an explanation, minutes for a link check);
//            overdue cases first, in red, and a banner over the whole pane
//   Inbox    the peers' messages, English and Russian side by side, with
//            "acknowledge (read)" for those no operator here has read
//   Outbox   ours, with their delivery state: sent (in our journal),
//            delivered (the peer's signed receipt), read (the peer's
//            operator acknowledged it)
//   Compose  a message from the catalogue's forms, checked field by field
//            as typed (validate.js), with the text the peer will read in
//            both languages
// The daemon publishes no hotline events on the stream yet, so the pane asks
// for the link every 2 s and the lists every 3 s (small answers: the last
// 200 messages), and at once after anything it sends. Should the stream
// carry "message", "case" or "link" events one day, they trigger a reload.
import { get, post, events, subscribe, currentUser } from '../api.js';
import { t, add, onChange, fmtUtc, getLang } from '../i18n.js';
import { el, clear } from './dom.js';
import { types, typeSpec, typeTitle, fieldLabel, enumWord, renderBody, commonFields } from './catalogue.js';
import { checkField, checkForm, timeText } from './validate.js';

add({
  en: {
    'hl.cases': 'Cases', 'hl.inbox': 'Inbox', 'hl.outbox': 'Outbox', 'hl.compose': 'Compose',
    'hl.none': 'Nothing here.',
    'hl.nohotline': 'This centre has no hotline.',
    'hl.overdue.banner': '{n} overdue case(s): a reply is late',
    'hl.case.owed.us': 'we owe {r}',
    'hl.case.owed.peer': '{p} owes {r}',
    'hl.case.due': 'due {t}',
    'hl.case.in': 'in {d}',
    'hl.case.over': 'OVERDUE by {d}',
    'hl.case.closed': 'closed by no. {s}',
    'hl.case.late': 'late',
    'hl.case.state.open': 'open', 'hl.case.state.overdue': 'OVERDUE', 'hl.case.state.closed': 'closed',
    'hl.case.reply': 'Reply',
    'hl.case.ack': 'Acknowledge',
    'hl.case.showclosed': 'Show closed',
    'hl.msg.no': 'no. {n}',
    'hl.msg.from': 'from {p}',
    'hl.msg.to': 'to {p}',
    'hl.msg.case': 'case {c}',
    'hl.msg.sent': 'sent',
    'hl.msg.delivered': 'delivered',
    'hl.msg.read': 'read by {u}',
    'hl.msg.unread': 'not yet read here',
    'hl.msg.readhere': 'read here by {u}',
    'hl.msg.ack': 'Acknowledge (read)',
    'hl.msg.ack.failed': 'Acknowledgement failed: {e}',
    'hl.msg.details': 'Details',
    'hl.msg.signature': 'Signature',
    'hl.compose.to': 'To',
    'hl.compose.type': 'Message',
    'hl.compose.case': 'Case',
    'hl.compose.case.hint': 'empty: a new case when the type opens one',
    'hl.compose.send': 'Send',
    'hl.compose.clear': 'Clear',
    'hl.compose.now': 'now',
    'hl.compose.preview': 'The peer will read',
    'hl.compose.sent': 'Sent: no. {n} to {p}{c}.',
    'hl.compose.refused': 'Not sent: {e}',
    'hl.compose.invalid': 'Not sent: {n} field(s) to correct.',
    'hl.compose.fromalert': 'Drafted from alert {a}.',
    'hl.compose.required': 'required',
    'hl.err.required': 'Required.',
    'hl.err.int': 'A whole number.',
    'hl.err.seq': 'A message number, 1 or more.',
    'hl.err.time': 'UTC time as YYYY-MM-DDTHH:MM:SSZ, a date and time that exist.',
    'hl.err.track': 'Track: 1-32 of A-Z a-z 0-9 _ . : / - (T1234, icao:4CA1F2).',
    'hl.err.position': 'Position: lat,lon in decimal degrees (54.35,19.28).',
    'hl.err.area': 'Area: 3 to 64 positions lat,lon separated by ";".',
    'hl.err.enum': 'Choose one of the list.',
    'hl.err.text': 'No control characters or direction overrides.',
    'hl.err.long': 'At most 4096 bytes.',
    'hl.link.up': 'link up', 'hl.link.down': 'LINK DOWN',
    'hl.link.counts': 'sent {s} · delivered {d} · received {r}',
  },
  ru: {
    'hl.cases': 'Дела', 'hl.inbox': 'Входящие', 'hl.outbox': 'Исходящие', 'hl.compose': 'Новое',
    'hl.none': 'Пусто.',
    'hl.nohotline': 'У этого центра нет прямой линии.',
    'hl.overdue.banner': 'Просроченных дел: {n} — ответ запаздывает',
    'hl.case.owed.us': 'мы должны: {r}',
    'hl.case.owed.peer': '{p} должен: {r}',
    'hl.case.due': 'срок {t}',
    'hl.case.in': 'осталось {d}',
    'hl.case.over': 'ПРОСРОЧЕНО на {d}',
    'hl.case.closed': 'закрыто сообщением № {s}',
    'hl.case.late': 'с опозданием',
    'hl.case.state.open': 'открыто', 'hl.case.state.overdue': 'ПРОСРОЧЕНО', 'hl.case.state.closed': 'закрыто',
    'hl.case.reply': 'Ответить',
    'hl.case.ack': 'Подтвердить',
    'hl.case.showclosed': 'Показать закрытые',
    'hl.msg.no': '№ {n}',
    'hl.msg.from': 'от {p}',
    'hl.msg.to': 'для {p}',
    'hl.msg.case': 'дело {c}',
    'hl.msg.sent': 'отправлено',
    'hl.msg.delivered': 'доставлено',
    'hl.msg.read': 'прочитано: {u}',
    'hl.msg.unread': 'здесь ещё не прочитано',
    'hl.msg.readhere': 'прочитано здесь: {u}',
    'hl.msg.ack': 'Подтвердить прочтение',
    'hl.msg.ack.failed': 'Не удалось подтвердить: {e}',
    'hl.msg.details': 'Подробно',
    'hl.msg.signature': 'Подпись',
    'hl.compose.to': 'Кому',
    'hl.compose.type': 'Сообщение',
    'hl.compose.case': 'Дело',
    'hl.compose.case.hint': 'пусто: новое дело, если тип его открывает',
    'hl.compose.send': 'Отправить',
    'hl.compose.clear': 'Очистить',
    'hl.compose.now': 'сейчас',
    'hl.compose.preview': 'Получатель прочтёт',
    'hl.compose.sent': 'Отправлено: № {n} для {p}{c}.',
    'hl.compose.refused': 'Не отправлено: {e}',
    'hl.compose.invalid': 'Не отправлено: исправьте поля ({n}).',
    'hl.compose.fromalert': 'Проект по тревоге {a}.',
    'hl.compose.required': 'обязательно',
    'hl.err.required': 'Обязательное поле.',
    'hl.err.int': 'Целое число.',
    'hl.err.seq': 'Номер сообщения, от 1.',
    'hl.err.time': 'Время UTC в виде ГГГГ-ММ-ДДTЧЧ:ММ:ССZ (существующие дата и время).',
    'hl.err.track': 'Трек: 1–32 знака A-Z a-z 0-9 _ . : / - (T1234, icao:4CA1F2).',
    'hl.err.position': 'Координаты: широта,долгота в градусах (54.35,19.28).',
    'hl.err.area': 'Район: от 3 до 64 точек широта,долгота через «;».',
    'hl.err.enum': 'Выберите из списка.',
    'hl.err.text': 'Без управляющих символов и смены направления текста.',
    'hl.err.long': 'Не более 4096 байт.',
    'hl.link.up': 'связь есть', 'hl.link.down': 'НЕТ СВЯЗИ',
    'hl.link.counts': 'отправлено {s} · доставлено {d} · получено {r}',
  },
});

const p2 = (n) => String(n).padStart(2, '0');

/** A countdown: "47:59:58", past 99 h "4 d 03:00:00"; seconds, rounded down. */
export function fmtCountdown(s) {
  s = Math.max(0, Math.floor(s));
  const d = Math.floor(s / 86400);
  const h = Math.floor(s / 3600);
  const hms = (hh) => `${hh}:${p2(Math.floor(s / 60) % 60)}:${p2(s % 60)}`;
  if (h > 99) return `${d} ${getLang() === 'ru' ? 'сут' : 'd'} ${hms(p2(h % 24))}`;
  return hms(h);
}

/** A case id as a test id: "WARSAW-CC/2" -> "WARSAW-CC-2". */
export const caseKey = (c) => String(c).replace(/[^A-Za-z0-9_-]/g, '-');

const msgKey = (m) => `${m.dir}:${m.peer}:${m.seq}`;
const isoMs = (s) => (s ? Date.parse(s) : NaN);

export function mountHotline(root) {
  let view = 'cases';
  let link = null; // /api/link
  let available = true;
  let clockOffset = 0; // hotline clock - Date.now()
  let cases = [];
  let msgs = []; // merged: {..., textEn, textRu}
  let showClosed = false;
  let note = '';
  let busy = false;
  const compose = { to: '', type: 'FREE_TEXT', case: '', values: {}, touched: {}, note: '', result: '', alert: null };

  const banner = el('div', { class: 'hl-banner', 'data-testid': 'hl-overdue-banner', role: 'alert', hidden: true });
  const linkBar = el('div', { class: 'hl-link', 'data-testid': 'hl-link' });
  const tabs = el('div', { class: 'hl-tabs', role: 'tablist', 'data-testid': 'hl-tabs' });
  const body = el('div', { class: 'hl-body', 'data-testid': 'hl-body' });
  const noteEl = el('p', { class: 'ops-note', 'data-testid': 'hl-note', role: 'status', hidden: true });
  root.append(banner, linkBar, tabs, noteEl, body);

  const now = () => Date.now() + clockOffset;

  function setView(v) {
    view = v;
    render();
  }

  // ---------------------------------------------------------------- data

  async function loadLink() {
    try {
      const r = await get('/api/link');
      link = r;
      available = true;
      const srv = isoMs(r.now);
      if (Number.isFinite(srv)) clockOffset = srv - Date.now();
      events.emit('ui.link', r);
    } catch (e) {
      if (e.status === 404) available = false;
      link = null;
      events.emit('ui.link', null);
    }
    renderLink();
  }

  async function loadLists() {
    if (!available) return;
    try {
      const [c, en, ru] = await Promise.all([
        get('/api/cases'),
        get('/api/messages?lang=en&limit=200'),
        get('/api/messages?lang=ru&limit=200'),
      ]);
      cases = c.cases || [];
      const ruBy = new Map((ru.messages || []).map((m) => [msgKey(m), m.text]));
      msgs = (en.messages || []).map((m) => ({ ...m, textEn: m.text, textRu: ruBy.get(msgKey(m)) ?? '' }));
      if (view !== 'compose') render();
      else renderTabs();
      badge();
    } catch (e) {
      if (e.status === 404) available = false;
    }
  }

  function badge() {
    const overdue = cases.filter((c) => c.state === 'overdue').length;
    const unread = msgs.filter((m) => m.dir === 'in' && !m.acked && m.type !== 'OPERATOR_ACK').length;
    events.emit('ui.badge', { pane: 'hotline', n: overdue + unread, level: overdue ? 'alarm' : unread ? 'warn' : '' });
  }

  // -------------------------------------------------------------- render

  function renderLink() {
    clear(linkBar);
    if (!available) {
      linkBar.append(el('span', { class: 'muted' }, t('hl.nohotline')));
      return;
    }
    for (const p of (link && link.peers) || []) {
      linkBar.append(el('span', {
        class: `hl-peer ${p.up ? 'up' : 'down'}`, 'data-testid': `hl-peer-${p.name}`, 'data-up': p.up ? 'yes' : 'no',
      }, el('b', {}, p.name), ' ', t(p.up ? 'hl.link.up' : 'hl.link.down'), ' · ',
      el('span', { class: 'muted' }, t('hl.link.counts', { s: p.sent, d: p.delivered, r: p.received }))));
    }
  }

  function renderTabs() {
    clear(tabs);
    const overdue = cases.filter((c) => c.state === 'overdue').length;
    const unread = msgs.filter((m) => m.dir === 'in' && !m.acked && m.type !== 'OPERATOR_ACK').length;
    const open = cases.filter((c) => c.state !== 'closed').length;
    const mk = (v, label, n, hot) => {
      const b = el('button', {
        type: 'button', role: 'tab', class: `hl-tab${view === v ? ' active' : ''}${hot ? ' hot' : ''}`,
        'aria-selected': view === v ? 'true' : 'false', 'data-testid': `hl-tab-${v}`,
      }, t(label), n ? el('span', { class: 'count' }, String(n)) : '');
      b.onclick = () => setView(v);
      return b;
    };
    tabs.append(mk('cases', 'hl.cases', open, overdue > 0), mk('inbox', 'hl.inbox', unread, unread > 0),
      mk('outbox', 'hl.outbox', 0, false), mk('compose', 'hl.compose', 0, false));
    banner.hidden = overdue === 0;
    banner.textContent = overdue ? t('hl.overdue.banner', { n: overdue }) : '';
    banner.onclick = () => setView('cases');
  }

  function render() {
    renderTabs();
    noteEl.textContent = note;
    noteEl.hidden = !note;
    clear(body);
    body.dataset.view = view;
    if (!available) {
      body.append(el('p', { class: 'muted' }, t('hl.nohotline')));
      return;
    }
    if (view === 'cases') renderCases();
    else if (view === 'inbox') renderMsgs('in');
    else if (view === 'outbox') renderMsgs('out');
    else renderCompose();
  }

  const STATE_RANK = { overdue: 0, open: 1, closed: 2 };

  function renderCases() {
    const chk = el('input', { type: 'checkbox', 'data-testid': 'hl-show-closed', checked: showClosed });
    chk.onchange = () => { showClosed = chk.checked; render(); };
    body.append(el('div', { class: 'ops-tools' }, el('label', { class: 'ops-check' }, chk, t('hl.case.showclosed'))));
    const rows = cases.filter((c) => showClosed || c.state !== 'closed')
      .sort((a, b) => STATE_RANK[a.state] - STATE_RANK[b.state] || a.due_ms - b.due_ms);
    const list = el('ol', { class: 'hl-cases', 'data-testid': 'hl-case-list' });
    if (!rows.length) list.append(el('li', { class: 'empty' }, t('hl.none')));
    for (const c of rows) list.append(caseRow(c));
    body.append(list);
    tick();
  }

  function caseRow(c) {
    const lang = getLang();
    const weOwe = c.opened_by === 'peer';
    const owed = weOwe ? t('hl.case.owed.us', { r: typeTitle(c.reply, lang) })
      : t('hl.case.owed.peer', { p: c.peer, r: typeTitle(c.reply, lang) });
    const cd = el('span', { class: 'countdown', 'data-testid': 'case-countdown', 'data-due-ms': c.due_ms });
    const actions = el('div', { class: 'case-actions' });
    if (weOwe && c.state !== 'closed') {
      if (c.reply === 'OPERATOR_ACK') {
        const b = el('button', { type: 'button', 'data-testid': 'case-ack' }, t('hl.case.ack'));
        b.onclick = () => ackMessage({ peer: c.peer, seq: c.open_seq });
        actions.append(b);
      } else {
        const b = el('button', { type: 'button', 'data-testid': 'case-reply' }, t('hl.case.reply'));
        b.onclick = () => startCompose({ to: c.peer, type: c.reply, case: c.case, fields: {} });
        actions.append(b);
      }
    }
    return el('li', {
      class: `hl-case st-${c.state}${weOwe ? ' we-owe' : ''}`, 'data-testid': `case-${caseKey(c.case)}`,
      'data-state': c.state, 'data-type': c.type, 'data-case': c.case,
    },
    el('div', { class: 'case-head' },
      el('span', { class: 'case-state', 'data-testid': 'case-state' }, t(`hl.case.state.${c.state}`)),
      el('b', {}, typeTitle(c.type, lang)), el('span', { class: 'muted' }, ` ${c.case}`)),
    el('div', { class: 'case-line' }, el('span', {}, owed), ' · ',
      el('span', {}, t('hl.case.due', { t: fmtUtc(c.due_ms) })), ' · ', cd,
      c.late ? el('span', { class: 'late' }, ` · ${t('hl.case.late')}`) : ''),
    c.state === 'closed' && c.closed_seq ? el('div', { class: 'muted' }, t('hl.case.closed', { s: c.closed_seq })) : '',
    actions);
  }

  // the countdowns move every second without a reload
  function tick() {
    for (const cd of body.querySelectorAll('.countdown')) {
      const li = cd.closest('.hl-case');
      const st = li && li.dataset.state;
      const left = (Number(cd.dataset.dueMs) - now()) / 1000;
      cd.dataset.remainingS = String(Math.floor(left));
      if (st === 'closed') cd.textContent = '';
      else if (left >= 0) cd.textContent = t('hl.case.in', { d: fmtCountdown(left) });
      else cd.textContent = t('hl.case.over', { d: fmtCountdown(-left) });
      // past due on the clock, before the daemon's next check marks it
      if (li && st === 'open' && left < 0) li.classList.add('past-due');
    }
  }

  function renderMsgs(dir) {
    const rows = msgs.filter((m) => m.dir === dir).sort((a, b) => isoMs(b.stored) - isoMs(a.stored) || b.seq - a.seq);
    const list = el('ol', { class: 'hl-msgs', 'data-testid': `hl-${dir === 'in' ? 'inbox' : 'outbox'}-list` });
    if (!rows.length) list.append(el('li', { class: 'empty' }, t('hl.none')));
    for (const m of rows) list.append(msgRow(m));
    body.append(list);
  }

  function delivery(m) {
    if (m.acked) return 'read';
    if (m.delivered) return 'delivered';
    return 'sent';
  }

  function msgRow(m) {
    const lang = getLang();
    const id = `${m.peer}:${m.seq}`;
    const head = el('div', { class: 'msg-head' },
      el('b', {}, typeTitle(m.type, lang)), ' ',
      el('span', { class: 'muted' }, t('hl.msg.no', { n: m.seq })), ' · ',
      el('span', {}, t(m.dir === 'in' ? 'hl.msg.from' : 'hl.msg.to', { p: m.peer })), ' · ',
      el('span', {}, fmtUtc(isoMs(m.created))),
      m.case ? el('span', { class: 'muted' }, ` · ${t('hl.msg.case', { c: m.case })}`) : '');
    const texts = el('div', { class: 'msg-texts' },
      el('div', { class: 'msg-text', lang: 'en', 'data-testid': 'msg-text-en' }, el('span', { class: 'lang-tag' }, 'EN'), m.textEn),
      el('div', { class: 'msg-text', lang: 'ru', 'data-testid': 'msg-text-ru' }, el('span', { class: 'lang-tag' }, 'RU'), m.textRu));
    const state = el('div', { class: 'msg-state' });
    let cls = '';
    if (m.dir === 'out') {
      const d = delivery(m);
      cls = ` dl-${d}`;
      state.append(
        el('span', { class: `step${d ? ' done' : ''}` }, `✓ ${t('hl.msg.sent')}`),
        el('span', { class: `step${d !== 'sent' ? ' done' : ''}` }, `✓ ${t('hl.msg.delivered')}`),
        el('span', { class: `step${d === 'read' ? ' done' : ''}` }, `✓ ${t('hl.msg.read', { u: m.ack_by || '…' })}`));
      state.dataset.delivery = d;
      state.setAttribute('data-testid', 'msg-delivery');
    } else if (m.type !== 'OPERATOR_ACK') {
      if (m.acked) {
        state.append(el('span', { class: 'step done', 'data-testid': 'msg-read' }, `✓ ${t('hl.msg.readhere', { u: m.ack_by || '' })}`));
      } else {
        cls = ' unread';
        const b = el('button', { type: 'button', class: 'primary', 'data-testid': 'msg-ack' }, t('hl.msg.ack'));
        b.onclick = () => ackMessage(m);
        state.append(el('span', { class: 'unread-tag' }, t('hl.msg.unread')), b);
      }
    }
    const details = el('details', { class: 'msg-details' }, el('summary', {}, t('hl.msg.details')));
    details.ontoggle = () => { if (details.open && details.childElementCount === 1) loadDetails(m, details); };
    return el('li', {
      class: `hl-msg${cls}`, 'data-testid': `msg-${m.dir}-${m.peer}-${m.seq}`, 'data-type': m.type,
      'data-id': id, 'data-dir': m.dir, 'data-delivery': m.dir === 'out' ? delivery(m) : null,
      'data-acked': m.acked ? 'yes' : 'no',
    }, head, texts, state, details);
  }

  async function loadDetails(m, box) {
    try {
      const q = `?dir=${m.dir}`;
      const [en, ru] = await Promise.all([
        get(`/api/messages/${encodeURIComponent(`${m.peer}:${m.seq}`)}${q}&lang=en`),
        get(`/api/messages/${encodeURIComponent(`${m.peer}:${m.seq}`)}${q}&lang=ru`),
      ]);
      const e = en.messages[0], r = ru.messages[0];
      const ty = typeSpec(e.type);
      const fields = (e.message && e.message.fields) || {};
      const lang = getLang();
      box.append(
        el('div', { class: 'msg-texts' },
          el('pre', { class: 'msg-text', lang: 'en' }, e.text), el('pre', { class: 'msg-text', lang: 'ru' }, r.text)),
        el('dl', { class: 'msg-fields' }, ...Object.entries(fields).flatMap(([k, v]) => {
          const spec = ty && (ty.fields.find((f) => f.name === k) || commonFields.find((f) => f.name === k));
          const shown = spec && spec.type === 'time' ? fmtUtc(v) : spec && spec.type === 'enum' ? `${v} (${enumWord(spec, v, 'ru')})` : String(v);
          return [el('dt', {}, spec ? `${fieldLabel(spec, lang)} (${k})` : k), el('dd', {}, shown)];
        })),
        el('p', { class: 'muted mono' }, `${t('hl.msg.signature')}: ${(e.message && e.message.sig) || ''}`));
    } catch (err) {
      box.append(el('p', { class: 'ops-note' }, err.message));
    }
  }

  async function ackMessage(m) {
    note = '';
    try {
      await post(`/api/messages/${encodeURIComponent(`${m.peer}:${m.seq}`)}/ack`, {});
    } catch (e) {
      note = t('hl.msg.ack.failed', { e: (e.body && e.body.message) || e.message });
    }
    await loadLists();
    render();
  }

  // ------------------------------------------------------------- compose

  function startCompose(d) {
    compose.to = d.to || compose.to || firstPeer();
    compose.type = d.type && typeSpec(d.type) ? d.type : 'FREE_TEXT';
    compose.case = d.case || '';
    compose.values = {};
    for (const [k, v] of Object.entries(d.fields || {})) compose.values[k] = v == null ? '' : String(v);
    compose.touched = {};
    compose.note = d.note || '';
    compose.alert = d.alert ?? null;
    compose.result = '';
    setView('compose');
  }

  function firstPeer() {
    const p = (link && link.peers) || [];
    return p.length ? p[0].name : '';
  }

  function renderCompose() {
    const lang = getLang();
    const ty = typeSpec(compose.type);
    const form = el('form', { class: 'hl-compose', 'data-testid': 'compose-form', novalidate: true });
    if (compose.alert != null) form.append(el('p', { class: 'muted', 'data-testid': 'compose-from-alert' }, t('hl.compose.fromalert', { a: compose.alert })));
    if (compose.note) form.append(el('p', { class: 'ops-note', 'data-testid': 'compose-note' }, t(compose.note)));

    const peers = ((link && link.peers) || []).map((p) => p.name);
    if (!compose.to) compose.to = peers[0] || '';
    const toSel = el('select', { name: 'to', 'data-testid': 'compose-to' },
      ...peers.map((p) => el('option', { value: p, selected: p === compose.to }, p)));
    toSel.onchange = () => { compose.to = toSel.value; };
    const typeSel = el('select', { name: 'type', 'data-testid': 'compose-type' },
      ...types.filter((x) => x.name !== 'OPERATOR_ACK').map((x) => el('option', { value: x.name, selected: x.name === compose.type },
        `${lang === 'ru' ? x.ru : x.en} (${x.name})`)));
    typeSel.onchange = () => { compose.type = typeSel.value; compose.touched = {}; compose.result = ''; render(); };
    const caseIn = el('input', { name: 'case', 'data-testid': 'compose-case', value: compose.case, placeholder: t('hl.compose.case.hint') });
    caseIn.oninput = () => { compose.case = caseIn.value; };
    form.append(
      row(t('hl.compose.to'), toSel), row(t('hl.compose.type'), typeSel), row(t('hl.compose.case'), caseIn));

    const preview = el('div', { class: 'msg-texts preview', 'data-testid': 'compose-preview' });
    const showPreview = () => {
      clear(preview);
      preview.append(
        el('div', { class: 'msg-text', lang: 'en', 'data-testid': 'compose-preview-en' }, el('span', { class: 'lang-tag' }, 'EN'), renderBody(compose.type, compose.values, 'en')),
        el('div', { class: 'msg-text', lang: 'ru', 'data-testid': 'compose-preview-ru' }, el('span', { class: 'lang-tag' }, 'RU'), renderBody(compose.type, compose.values, 'ru')));
    };

    for (const spec of [...ty.fields, ...commonFields]) {
      const err = el('span', { class: 'field-error', 'data-testid': `compose-error-${spec.name}`, role: 'alert' });
      const other = lang === 'ru' ? spec.en : spec.ru;
      const label = el('span', { class: 'field-label' }, fieldLabel(spec, lang),
        el('span', { class: 'muted' }, ` · ${other}`), spec.required ? el('span', { class: 'req', title: t('hl.compose.required') }, ' *') : '');
      let input;
      const v = compose.values[spec.name] ?? '';
      if (spec.type === 'enum') {
        input = el('select', { name: spec.name },
          el('option', { value: '', selected: v === '' }, '—'),
          ...spec.enums.map((code, i) => el('option', { value: code, selected: code === v },
            spec.enumsRu && spec.enumsRu[i] ? `${code} — ${spec.enumsRu[i]}` : code)));
      } else if (spec.type === 'text' || spec.type === 'area') {
        input = el('textarea', { name: spec.name, rows: spec.type === 'area' ? 2 : spec.name === 'text' || spec.name === 'body' || spec.name === 'description' ? 3 : 1 });
        input.value = v;
      } else {
        input = el('input', { name: spec.name, value: v, inputmode: spec.type === 'int' || spec.type === 'seq' ? 'numeric' : null,
          placeholder: { time: 'YYYY-MM-DDTHH:MM:SSZ', position: '54.35,19.28', track: 'T1234', seq: '1', int: '0' }[spec.type] || null });
      }
      input.setAttribute('data-testid', `compose-field-${spec.name}`);
      const check = () => {
        const why = checkField(spec, spec.type === 'text' ? input.value : input.value.trim());
        const shown = why && (compose.touched[spec.name] || compose.touched._all);
        err.textContent = shown ? t(`hl.err.${why}`) : '';
        input.classList.toggle('invalid', !!shown);
        input.setAttribute('aria-invalid', shown ? 'true' : 'false');
      };
      input.oninput = () => { compose.values[spec.name] = input.value; compose.result = ''; check(); showPreview(); };
      input.onchange = input.oninput;
      input.onblur = () => { compose.touched[spec.name] = true; check(); };
      const extra = [];
      if (spec.type === 'time') {
        const nowBtn = el('button', { type: 'button', class: 'small', 'data-testid': `compose-now-${spec.name}` }, t('hl.compose.now'));
        nowBtn.onclick = () => { input.value = timeText(Math.floor(now() / 1000) * 1000); input.oninput(); };
        extra.push(nowBtn);
      }
      form.append(el('label', { class: `field f-${spec.type}` }, label, el('span', { class: 'field-input' }, input, ...extra), err));
      check();
    }
    showPreview();
    const result = el('p', { class: `compose-result${compose.result.startsWith('!') ? ' bad' : ''}`, 'data-testid': 'compose-result', role: 'status' },
      compose.result.replace(/^!/, ''));
    const send = el('button', { type: 'submit', class: 'primary', 'data-testid': 'compose-send', disabled: busy }, t('hl.compose.send'));
    const clr = el('button', { type: 'button', 'data-testid': 'compose-clear' }, t('hl.compose.clear'));
    clr.onclick = () => startCompose({ to: compose.to, type: compose.type });
    form.append(el('div', { class: 'compose-preview-wrap' }, el('b', {}, t('hl.compose.preview')), preview),
      el('div', { class: 'compose-actions' }, send, clr), result);
    form.onsubmit = (ev) => { ev.preventDefault(); submit(); };
    body.append(form);
  }

  function row(label, input) {
    return el('label', { class: 'field' }, el('span', { class: 'field-label' }, label), el('span', { class: 'field-input' }, input));
  }

  async function submit() {
    const ty = typeSpec(compose.type);
    const { errors, fields } = checkForm(ty, commonFields, compose.values);
    const bad = Object.keys(errors).length;
    if (bad || !compose.to) {
      compose.touched._all = true;
      compose.result = `!${t('hl.compose.invalid', { n: bad + (compose.to ? 0 : 1) })}`;
      render();
      return;
    }
    const req = { to: compose.to, type: compose.type, fields };
    if (compose.case.trim()) req.case = compose.case.trim();
    busy = true;
    render();
    try {
      const r = await post('/api/messages', req);
      compose.result = t('hl.compose.sent', { n: r.seq, p: compose.to, c: r.case ? ` (${t('hl.msg.case', { c: r.case })})` : '' });
      compose.values = {};
      compose.touched = {};
      compose.note = '';
      compose.alert = null;
      compose.case = '';
    } catch (e) {
      compose.result = `!${t('hl.compose.refused', { e: (e.body && e.body.message) || e.message })}`;
    }
    busy = false;
    await loadLists();
    render();
  }

  // -------------------------------------------------------------- wiring

  let timers = [];
  function start() {
    stop();
    available = true;
    loadLink().then(loadLists);
    timers = [setInterval(loadLink, 2000), setInterval(loadLists, 3000), setInterval(tick, 1000)];
  }
  function stop() { for (const x of timers) clearInterval(x); timers = []; }

  events.on('login', start);
  events.on('open', () => { loadLink(); loadLists(); });
  events.on('logout', () => { stop(); cases = []; msgs = []; link = null; render(); });
  events.on('ui.compose', (d) => startCompose(d || {}));
  for (const n of ['message', 'case', 'link']) subscribe(n, () => { loadLink(); loadLists(); });
  onChange(() => { render(); renderLink(); });
  void currentUser;
  render();
  return { reload: () => { loadLink(); loadLists(); }, setView };
}
