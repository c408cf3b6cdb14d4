// Two centres joined by the hotline, for the e2e tests of the operations
// panes: WARSAW-CC and MOSCOW-CC, each with keys from `cairn keygen`, one
// roster holding both, a journal from `cairn hotline --init`, the hotline
// link on a free loopback port, and the web face of lib/centre.mjs.
//
//   const { a, b, stop } = await startPair({ bin, hotlineA: 'link_check_deadline_s = 5' });
//
// hotlineA / hotlineB: extra lines for each centre's [hotline] section
// (short deadlines for the tests). The link ports are found by binding
// port 0 and closing it just before the centres start (loopback only).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCentre } from './centre.mjs';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startPair(opts) {
  const bin = opts.bin;
  const names = [['WARSAW-CC', 'NATO', opts.hotlineA || ''], ['MOSCOW-CC', 'RU', opts.hotlineB || '']];
  const dirs = names.map(([n]) => mkdtempSync(join(tmpdir(), `cairn-e2e-${n.toLowerCase()}-`)));
  const ports = [await freePort(), await freePort()];
  for (let i = 0; i < 2; i++) {
    execFileSync(bin, ['keygen', '--centre', names[i][0], '--party', names[i][1], '--address',
      `127.0.0.1:${ports[i]}`, '--dir', join(dirs[i], 'keys')], { stdio: 'ignore' });
  }
  const roster = dirs.map((d) => readFileSync(join(d, 'keys', 'roster.ini'), 'utf8')).join('\n');
  const centres = [];
  try {
    for (let i = 0; i < 2; i++) {
      writeFileSync(join(dirs[i], 'roster.ini'), roster);
      const hotline = ['[hotline]', 'keys = keys', 'roster = roster.ini', 'journal = journal.db',
        'case_check_ms = 1000', 'heartbeat_ms = 500', 'dead_ms = 2000', names[i][2], ''].join('\n');
      // the journal is created once, from the same configuration the centre runs
      writeFileSync(join(dirs[i], 'centre.ini'), `[centre]\nname = ${names[i][0]}\n${hotline}`);
      execFileSync(bin, ['hotline', '-c', join(dirs[i], 'centre.ini'), '--init'], { stdio: 'ignore' });
      centres.push(await startCentre({ bin, name: names[i][0], dir: dirs[i], speed: opts.speed ?? 5,
        extraIni: hotline, keep: opts.keep }));
    }
  } catch (e) {
    for (const c of centres) await c.stop();
    throw e;
  }
  return {
    a: centres[0], b: centres[1],
    async stop() { for (const c of centres) await c.stop(); },
  };
}
