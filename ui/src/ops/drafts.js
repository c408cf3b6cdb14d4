// drafts.js: a hotline message prepared elsewhere (an alert's "draft", a
// reply to a case) handed to the compose form of the hotline pane.
import { events } from '../api.js';

/**
 * Ask the hotline pane to open its compose form with d:
 * {to?, type, fields: {name: value}, case?, note?: i18n key, alert?: id}.
 */
export function openCompose(d) {
  events.emit('ui.compose', d);
  events.emit('ui.show-pane', 'hotline');
}
