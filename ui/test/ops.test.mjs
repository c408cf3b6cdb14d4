// The operations panes' pure parts, in node (no browser): the catalogue
// mirror is current with src/hotline/catalogue.c, the compose form's rules
// agree with the daemon's (same cases as tests/unit/hotline/test_hl_msg.c's
// field rules), the preview renders as hl_render_body, the alarm policy,
// the console's own draft from an alert is a valid INCIDENT_REPORT, the
// countdown's text, the COMPLIANCE_SUMMARY grammar and comparison.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkField, checkForm, parseTime, positionOk, areaOk, textOk } from '../src/ops/validate.js';
import { typeSpec, renderBody, commonFields, types } from '../src/ops/catalogue.js';
import { needsAlarm, localDraftFromAlert, fmtCountdown } from '../src/ops/policy.js';
import { parseCounts, parseFlights, compare } from '../src/ops/compliance-data.js';
import { alarmWav } from '../src/ops/alarm.js';

const UI = join(dirname(fileURLToPath(import.meta.url)), '..');

test('the catalogue mirror is current with catalogue.c', () => {
  execFileSync(process.execPath, [join(UI, 'tools/gen-catalogue.mjs'), '--check'], { stdio: 'pipe' });
  assert.ok(types.length >= 21);
  const ex = typeSpec('EXPLANATION_REQUEST');
  assert.equal(ex.deadlineMs, 48 * 3600e3);
  assert.equal(ex.reply, 'EXPLANATION');
  assert.equal(typeSpec('LINK_CHECK').deadlineMs, 5 * 60e3);
  const kind = typeSpec('INCIDENT_REPORT').fields.find((f) => f.name === 'kind');
  assert.deepEqual(kind.enums.slice(0, 2), ['NEAR_MISS', 'NO_TRANSPONDER']);
  assert.equal(kind.enumsRu[1], 'полёт без ответчика');
});

test('times: what exists, strictly', () => {
  assert.equal(parseTime('2026-11-22T00:00:00Z'), 1795305600000);
  assert.equal(parseTime('2026-11-22T00:00:00.250Z'), 1795305600250);
  for (const bad of ['2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:00:60Z',
    '2026-01-01 00:00:00Z', '2026-01-01T00:00:00', '1969-12-31T23:59:59Z', '2026-1-01T00:00:00Z',
    '2026-01-01T00:00:00.5Z', '2026-01-01T00:00:00+01:00']) assert.equal(parseTime(bad), null, bad);
  assert.notEqual(parseTime('2024-02-29T12:00:00Z'), null);
  assert.equal(parseTime('2100-02-29T12:00:00Z'), null);
});

test('positions, areas, tracks, text', () => {
  assert.ok(positionOk('54.35,19.28'));
  assert.ok(positionOk('-90,180'));
  for (const bad of ['54.35, 19.28', '91,0', '0,181', '1e1,2', '54.,19', '54.1234567890,1', '12345,1', '54;19', ''])
    assert.ok(!positionOk(bad), bad);
  assert.ok(areaOk('54.5,19.5;54.9,20.5;54.3,21.0'));
  assert.ok(!areaOk('54.5,19.5;54.9,20.5'));
  assert.ok(!areaOk(Array(65).fill('1,1').join(';')));
  const track = { name: 'track', type: 'track', required: true };
  assert.equal(checkField(track, 'icao:4CA1F2'), null);
  assert.equal(checkField(track, 'T 12'), 'track');
  assert.equal(checkField(track, 'x'.repeat(33)), 'track');
  assert.equal(checkField(track, ''), 'required');
  assert.ok(textOk('line one\n\tline two', true));
  assert.ok(!textOk('esc \u001b[31m', true));
  assert.ok(!textOk('bidi \u202e', true));
  assert.ok(!textOk('c1 \u0085', true));
  assert.equal(checkField({ name: 'text', type: 'text', required: false }, 'é'.repeat(2049)), 'long');
});

test('numbers and sequence numbers as the daemon parses them', () => {
  const int = { name: 'n', type: 'int', required: false };
  const seq = { name: 's', type: 'seq', required: true };
  assert.equal(checkField(int, '-12'), null);
  assert.equal(checkField(int, '9223372036854775807'), null);
  assert.equal(checkField(int, '9223372036854775808'), 'int');
  assert.equal(checkField(int, '1.5'), 'int');
  assert.equal(checkField(seq, '0'), 'seq');
  assert.equal(checkField(seq, '1'), null);
});

test('the form: required fields, values sent as typed strings', () => {
  const ty = typeSpec('INCIDENT_REPORT');
  let r = checkForm(ty, commonFields, {});
  assert.deepEqual(Object.keys(r.errors).sort(), ['kind', 'occurred', 'position']);
  r = checkForm(ty, commonFields, { kind: 'NEAR_MISS', occurred: ' 2026-11-22T00:00:00Z ', position: '54.35,19.28',
    min_distance_m: '120', description: ' as typed ' });
  assert.deepEqual(r.errors, {});
  assert.deepEqual(r.fields, { kind: 'NEAR_MISS', occurred: '2026-11-22T00:00:00Z', position: '54.35,19.28',
    min_distance_m: '120', description: ' as typed ' });
  r = checkForm(ty, commonFields, { kind: 'SOMETHING', occurred: '2026-11-22T00:00:00Z', position: '54.35,19.28' });
  assert.deepEqual(r.errors, { kind: 'enum' });
});

test('the preview renders as hl_render_body', () => {
  const f = { kind: 'NO_TRANSPONDER', occurred: '2014-03-03T13:00:06Z', position: '55.241071,13.599109', tracks: 'T1',
    min_distance_m: '1200' };
  // the daemon's text for the same message (seen through /api/messages?lang=ru)
  assert.equal(renderBody('INCIDENT_REPORT', f, 'ru'),
    'Донесение об опасном инциденте: полёт без ответчика, время 2014-03-03T13:00:06.000Z, координаты ' +
    '55.241071,13.599109; треки T1; минимальное расстояние 1200 м. —');
  assert.match(renderBody('INCIDENT_REPORT', f, 'en'), /^Report of a hazardous incident: NO_TRANSPONDER at 2014-03-03T13:00:06.000Z/);
  assert.equal(renderBody('FREE_TEXT', { body: 'b', text: 'x' }, 'ru'), 'Тема: —\nb\nТекст: x');
});

test('the alarm: who sounds it', () => {
  assert.ok(needsAlarm({ rule: 'NO_TRANSPONDER', severity: 'CAUTION', state: 'OPEN' }));
  assert.ok(needsAlarm({ rule: 'SEPARATION', severity: 'WARNING', state: 'UPDATED' }));
  assert.ok(!needsAlarm({ rule: 'SEPARATION', severity: 'CAUTION', state: 'OPEN' }));
  assert.ok(!needsAlarm({ rule: 'AIS_GAP', severity: 'INFO', state: 'OPEN' }));
  assert.ok(!needsAlarm({ rule: 'EMERGENCY', severity: 'ALERT', state: 'CLEARED' }));
  const w = alarmWav();
  assert.equal(String.fromCharCode(...w.slice(0, 4)), 'RIFF');
  assert.equal(String.fromCharCode(...w.slice(8, 12)), 'WAVE');
  assert.equal(w.length, 44 + 2 * 8000 * 1.5);
});

test("the console's own draft from an alert is a good INCIDENT_REPORT", () => {
  const a = { id: 1, rule: 'NO_TRANSPONDER', severity: 'WARNING', lat: 55.241071, lon: 13.599109,
    t_open_ms: 1393851606000, parties: [{ track_id: 1 }, { track_id: 2, icao: '4ac9e1' }], text: 'No transponder: track 1',
    values: { nearest_nm: 9.9 } };
  const d = localDraftFromAlert(a);
  assert.equal(d.type, 'INCIDENT_REPORT');
  const r = checkForm(typeSpec(d.type), commonFields, d.fields);
  assert.deepEqual(r.errors, {});
  assert.equal(d.fields.kind, 'NO_TRANSPONDER');
  assert.equal(d.fields.occurred, '2014-03-03T13:00:06Z');
  assert.equal(d.fields.tracks, 'T1 icao:4AC9E1');
});

test('countdowns', () => {
  assert.equal(fmtCountdown(48 * 3600, 'en'), '48:00:00');
  assert.equal(fmtCountdown(48 * 3600 - 2.5, 'en'), '47:59:57');
  assert.equal(fmtCountdown(65, 'en'), '0:01:05');
  assert.equal(fmtCountdown(-3, 'en'), '0:00:00');
  assert.equal(fmtCountdown(5 * 86400 + 3600, 'ru'), '5 сут 01:00:00');
});

test('COMPLIANCE_SUMMARY: the grammar, and the differences', () => {
  const ours = { counts: parseCounts('RU=12/3/2/1;NATO=4/4/4/4'), flights: parseFlights('RU,icao:1234ab,N,N,U;NATO,SAS681,Y,Y,Y;RU,T77,N,N,N') };
  const theirs = { counts: parseCounts('RU=12/5/2/1;NATO=4/4/4/3'), flights: parseFlights('RU,icao:1234AB,Y,N,U;NATO,SAS681,Y,Y,Y') };
  assert.deepEqual(ours.counts.get('RU'), [12, 3, 2, 1]);
  assert.ok(ours.flights.has('icao:1234AB'));
  const d = compare(ours, theirs, 'MOSCOW-CC');
  assert.deepEqual([...d.counts].sort(), ['NATO:3', 'RU:1']);
  assert.deepEqual([...d.flights], ['icao:1234AB']);
  assert.equal(d.list.filter((x) => x.major).length, 2); // RU transponder count, the flight
  assert.throws(() => parseCounts('RU=1/2/3'));
  assert.throws(() => parseFlights('RU,icao:12345,Y,Y,Y'));
  assert.throws(() => parseFlights('RU,lower,Y,Y,Y'));
});
