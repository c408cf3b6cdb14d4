// sensors.js: the sensors pane: each input of /api/sensors (connected or
// not, reports per second, errors, age of its last data, its last error)
// and each sensor the picture knows (reports, used, age). Read every 2 s
// while the pane is open; an input that is not running, or has errors, or
// has sent nothing for 30 s is red; the tab's badge counts them whatever
// pane is open (read every 10 s then).
import { get, events } from '../api.js';
import { add, t, onChange, fmtAge } from '../i18n.js';
import { el, clear } from './dom.js';

add({
  en: {
    'sensors.inputs': 'Inputs', 'sensors.sensors': 'Sensors of the picture',
    'sensors.name': 'Name', 'sensors.kind': 'Kind', 'sensors.state': 'State', 'sensors.rate': 'Rate /s',
    'sensors.reports': 'Reports', 'sensors.errors': 'Errors', 'sensors.age': 'Last data', 'sensors.detail': 'Last error',
    'sensors.type': 'Type', 'sensors.used': 'Used', 'sensors.none': 'None.',
    'sensors.st.running': 'connected', 'sensors.st.connecting': 'connecting', 'sensors.st.backoff': 'waiting to retry',
    'sensors.st.ended': 'ended', 'sensors.st.failed': 'FAILED',
    'sensors.centre': 'Centre {c}', 'sensors.bad': '{n} input(s) in trouble',
  },
  ru: {
    'sensors.inputs': 'Входы', 'sensors.sensors': 'Датчики картины',
    'sensors.name': 'Имя', 'sensors.kind': 'Вид', 'sensors.state': 'Состояние', 'sensors.rate': 'Скорость /с',
    'sensors.reports': 'Сообщений', 'sensors.errors': 'Ошибок', 'sensors.age': 'Последние данные', 'sensors.detail': 'Последняя ошибка',
    'sensors.type': 'Тип', 'sensors.used': 'Использовано', 'sensors.none': 'Нет.',
    'sensors.st.running': 'подключён', 'sensors.st.connecting': 'подключается', 'sensors.st.backoff': 'ожидание повтора',
    'sensors.st.ended': 'завершён', 'sensors.st.failed': 'ОТКАЗ',
    'sensors.centre': 'Центр {c}', 'sensors.bad': 'Входов с неисправностью: {n}',
  },
});

const STALE_S = 30;
export const inputBad = (i) => i.state === 'failed' || i.state === 'backoff' || (i.errors > 0 && i.state !== 'ended') ||
  (i.state === 'running' && Number.isFinite(i.last_data_age_s) && i.last_data_age_s > STALE_S);

export function mountSensors(root) {
  let data = null;
  let visible = false;
  let timer = 0;
  const head = el('p', { class: 'muted', 'data-testid': 'sensors-centre' });
  const body = el('div', { 'data-testid': 'sensors-body' });
  root.append(head, body);

  async function load() {
    clearTimeout(timer);
    try {
      data = await get('/api/sensors');
    } catch { /* keep the last; the status bar shows the stream's state */ }
    render();
    timer = setTimeout(load, visible ? 2000 : 10000);
  }

  function cell(v, cls) { return el('td', { class: cls || null }, v == null ? '—' : v); }

  function render() {
    clear(body);
    if (!data) return;
    head.textContent = t('sensors.centre', { c: data.centre || '' }) + (data.party ? ` (${data.party})` : '');
    const inputs = data.inputs || [];
    const bad = inputs.filter(inputBad).length;
    events.emit('ui.badge', { pane: 'sensors', n: bad, level: bad ? 'alarm' : '' });
    events.emit('ui.status', { key: 'sensors', text: bad ? t('sensors.bad', { n: bad }) : '', level: 'alarm' });
    body.append(el('h3', { class: 'ops-h' }, t('sensors.inputs')));
    const ti = el('table', { class: 'ops-table', 'data-testid': 'sensors-inputs' },
      el('tr', {}, ...['name', 'kind', 'state', 'rate', 'reports', 'errors', 'age'].map((k) => el('th', {}, t(`sensors.${k}`)))));
    for (const i of inputs) {
      const b = inputBad(i);
      ti.append(el('tr', { class: b ? 'bad' : null, 'data-testid': 'sensors-row', 'data-id': i.name, 'data-state': i.state },
        cell(i.name), cell(i.kind), cell(t(`sensors.st.${i.state}`)),
        cell(Number.isFinite(i.rate) ? i.rate.toFixed(1) : null, 'num'), cell(i.reports, 'num'),
        cell(i.errors, `num${i.errors ? ' bad' : ''}`), cell(fmtAge(i.last_data_age_s))));
      if (i.detail) ti.append(el('tr', { class: 'bad' }, el('td', { colspan: 7 }, `${t('sensors.detail')}: ${i.detail}`)));
    }
    if (!inputs.length) ti.append(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, t('sensors.none'))));
    body.append(ti);
    body.append(el('h3', { class: 'ops-h' }, t('sensors.sensors')));
    const ts = el('table', { class: 'ops-table', 'data-testid': 'sensors-sensors' },
      el('tr', {}, ...['name', 'type', 'reports', 'used', 'age'].map((k) => el('th', {}, t(`sensors.${k}`)))));
    for (const s of data.sensors || []) {
      const age = Number.isFinite(s.last_data_ms) && data.now_ms ? (data.now_ms - s.last_data_ms) / 1000 : null;
      ts.append(el('tr', { 'data-testid': 'sensors-sensor', 'data-id': s.name, class: age != null && age > STALE_S ? 'warn' : null },
        cell(s.name), cell(s.type), cell(s.reports, 'num'), cell(s.used, 'num'), cell(fmtAge(age))));
    }
    body.append(ts);
  }

  events.on('login', load);
  events.on('logout', () => { clearTimeout(timer); data = null; render(); });
  onChange(render);
  load();
  return {
    show() { visible = true; load(); },
    hide() { visible = false; },
  };
}
