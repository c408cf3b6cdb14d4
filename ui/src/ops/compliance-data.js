// compliance-data.js: the COMPLIANCE_SUMMARY texts (grammar of
// app/compliance.h) read, and two summaries compared, for the reciprocity
// pane. Pure: no DOM, no network (tests/e2e/ops_unit.mjs runs it in node).

/** counts: "RU=12/3/2/1;NATO=4/4/4/4" -> Map party -> [flights, xpdr, plan, radio] */
export function parseCounts(s) {
  const m = new Map();
  if (!s) return m;
  for (const part of String(s).split(';')) {
    const x = /^([A-Za-z0-9_-]{1,15})=([0-9]{1,9})\/([0-9]{1,9})\/([0-9]{1,9})\/([0-9]{1,9})$/.exec(part.trim());
    if (!x) throw new Error(`counts: "${part.slice(0, 40)}"`);
    m.set(x[1], x.slice(2, 6).map(Number));
  }
  return m;
}

/** flights: "RU,icao:1234AB,N,N,U;..." -> Map ident -> {party, xpdr, plan, radio} */
export function parseFlights(s) {
  const m = new Map();
  if (!s) return m;
  for (const part of String(s).split(';')) {
    const x = /^([A-Za-z0-9_-]{1,15}),(icao:[0-9A-Fa-f]{6}|[A-Z0-9]{1,8}|T[0-9]{1,10}),([YNU]),([YNU]),([YNU])$/.exec(part.trim());
    if (!x) throw new Error(`flights: "${part.slice(0, 40)}"`);
    const id = x[2].startsWith('icao:') ? `icao:${x[2].slice(5).toUpperCase()}` : x[2];
    m.set(id, { party: x[1], xpdr: x[3], plan: x[4], radio: x[5] });
  }
  return m;
}

export const WHAT = ['compl.flights', 'compl.xpdr', 'compl.plan', 'compl.radio'];

/**
 * The differences between our summary and theirs (parsed), as
 * {counts: Set("PARTY:i"), flights: Set(ident), list: [{key, params}]}.
 * The sender's own track numbers ("T123") are never matched.
 */
export function compare(ours, theirs, peer) {
  const res = { counts: new Set(), flights: new Set(), list: [] };
  const parties = new Set([...ours.counts.keys(), ...theirs.counts.keys()]);
  for (const party of parties) {
    const a = ours.counts.get(party) || [0, 0, 0, 0];
    const b = theirs.counts.get(party) || [0, 0, 0, 0];
    for (let i = 0; i < 4; i++) {
      if (a[i] !== b[i]) {
        res.counts.add(`${party}:${i}`);
        res.list.push({ key: 'compl.disc.count', params: { party, what: i, a: a[i], b: b[i], p: peer }, major: i < 2 });
      }
    }
  }
  for (const [id, f] of ours.flights) {
    if (id.startsWith('T')) continue;
    const g = theirs.flights.get(id);
    if (!g) continue;
    if (f.xpdr !== g.xpdr && f.xpdr !== 'U' && g.xpdr !== 'U') {
      res.flights.add(id);
      res.list.push({ key: 'compl.disc.flight', params: { f: id, a: f.xpdr, b: g.xpdr, p: peer }, major: true });
    }
  }
  return res;
}

