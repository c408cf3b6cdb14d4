// alarm.js: the audible alarm for new alerts that need a person at once.
//
// The sound is made here, not fetched: a 16-bit mono WAV of two alternating
// tones (960 Hz / 770 Hz, 0.25 s each, then 0.5 s of silence), built in
// memory and played by an <audio data-testid="alarm-audio"> element in a
// loop. What the element is doing is in data-state on it and on the
// alarm's button, so that a test (or a person with devtools) can see it:
//   idle     nothing to sound
//   playing  sounding (audio not paused, currentTime moving)
//   silenced the operator pressed "silence" for the alerts sounding now;
//            the next new alert sounds again
//   muted    the operator turned the sound off altogether (kept in
//            localStorage; shown in red on the button until turned back on)
//   blocked  the browser refused to play (no user gesture yet): the button
//            blinks and one click starts it
// and data-sounding lists the ids of the alerts it sounds for.

const RATE = 8000;

/** The alarm's WAV bytes (a Uint8Array). */
export function alarmWav() {
  const seg = [[960, 0.25], [770, 0.25], [960, 0.25], [770, 0.25], [0, 0.5]];
  const n = seg.reduce((a, [, d]) => a + Math.round(d * RATE), 0);
  const buf = new ArrayBuffer(44 + n * 2);
  const v = new DataView(buf);
  const str = (o, s) => { for (let i = 0; i < s.length; i++) v.setUint8(o + i, s.charCodeAt(i)); };
  str(0, 'RIFF'); v.setUint32(4, 36 + n * 2, true); str(8, 'WAVE');
  str(12, 'fmt '); v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true);
  v.setUint32(24, RATE, true); v.setUint32(28, RATE * 2, true); v.setUint16(32, 2, true);
  v.setUint16(34, 16, true); str(36, 'data'); v.setUint32(40, n * 2, true);
  let o = 44;
  for (const [f, d] of seg) {
    const len = Math.round(d * RATE);
    for (let i = 0; i < len; i++) {
      // 10 ms ramps at each end: no clicks
      const env = Math.min(1, i / 80, (len - i) / 80);
      const s = f ? Math.sin((2 * Math.PI * f * i) / RATE) * 0.5 * env : 0;
      v.setInt16(o, Math.round(s * 32767), true);
      o += 2;
    }
  }
  return new Uint8Array(buf);
}

const MUTE_KEY = 'cairn.alarm.muted';

export class Alarm {
  /** el: the <audio> element; onState(state) after every change. */
  constructor(audio, onState) {
    this.audio = audio;
    this.onState = onState || (() => {});
    this.muted = localStorage.getItem(MUTE_KEY) === '1';
    this.sounding = new Set(); // alert ids that want the alarm
    this.silenced = new Set(); // of those, the ones the operator silenced
    this.state = 'idle';
    const url = URL.createObjectURL(new Blob([alarmWav()], { type: 'audio/wav' }));
    audio.src = url;
    audio.loop = true;
    audio.preload = 'auto';
    this.update();
  }

  /** An alert that needs the alarm (new); it sounds until acked, cleared or silenced. */
  raise(id) {
    if (this.sounding.has(id)) return;
    this.sounding.add(id);
    this.update();
  }

  /** The alert no longer needs it (acknowledged, cleared). */
  drop(id) {
    this.sounding.delete(id);
    this.silenced.delete(id);
    this.update();
  }

  /** Quiet for what sounds now; a later alert sounds again. */
  silence() {
    for (const id of this.sounding) this.silenced.add(id);
    this.update();
  }

  setMuted(m) {
    this.muted = !!m;
    localStorage.setItem(MUTE_KEY, this.muted ? '1' : '0');
    this.update();
  }

  /** A click on the alarm's button when blocked: play with the gesture. */
  retry() { this.update(true); }

  wanted() {
    for (const id of this.sounding) if (!this.silenced.has(id)) return true;
    return false;
  }

  update() {
    const a = this.audio;
    let st;
    if (this.muted) st = 'muted';
    else if (this.wanted()) st = 'playing';
    else if (this.sounding.size) st = 'silenced';
    else st = 'idle';
    if (st === 'playing') {
      if (a.paused) {
        const p = a.play();
        if (p && p.catch) {
          p.then(() => this.set(this.wanted() && !this.muted ? 'playing' : this.state))
            .catch(() => { if (this.wanted() && !this.muted) this.set('blocked'); });
        }
      }
    } else if (!a.paused) {
      a.pause();
      a.currentTime = 0;
    }
    this.set(st);
  }

  set(st) {
    this.state = st;
    this.audio.dataset.state = st;
    // the alerts it sounds for now (not silenced), for tests and devtools
    this.audio.dataset.sounding = [...this.sounding].filter((id) => !this.silenced.has(id)).join(',');
    this.onState(st, this);
  }
}
