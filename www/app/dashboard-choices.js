// A tile's parameters that take one of a few values, as the catalogue lists them
// (GET /api/v1/tiles: `choices: [{param, values, default}]`), named in the user's language.
// The editor draws a picker per choice from them; an attribution tile carries its model
// picker on the dashboard itself.

import { t } from './shell.js';

// Values the catalogues name; a value the API adds later is shown as the API writes it.
const NAMED = {
  bucket: new Set(['day', 'week', 'month']),
  by: new Set(['lead_source', 'channel', 'all', 'source', 'medium', 'campaign']),
  model: new Set(['first_interaction', 'last_touch', 'last_non_direct', 'linear', 'position_based', 'time_decay']),
};

/** The label of a parameter's picker. */
export function paramLabel(param) {
  return NAMED[param] ? t(`dashboard.${param}`) : param;
}

/** One value of a parameter in the user's language; `null` is "none" (the tile as drawn without it). */
export function choiceLabel(param, value) {
  if (value === null || value === undefined || value === '') return param === 'model' ? t('dashboard.model_none') : '';
  return NAMED[param]?.has(value) ? t(`dashboard.${param}_${value}`) : String(value);
}

/** The catalogue's choices of a tile (none for a tile without any). */
export function choicesOf(info) {
  return Array.isArray(info?.choices) ? info.choices.filter((c) => c && typeof c.param === 'string' && Array.isArray(c.values)) : [];
}

/** The choice of `param` of a tile, if the catalogue lists one. */
export function choiceOf(info, param) {
  return choicesOf(info).find((c) => c.param === param) || null;
}

/** The value `entry` takes for `choice`: its own when the catalogue allows it, else the default. */
export function valueOf(entry, choice) {
  const own = entry?.[choice.param];
  return own !== undefined && own !== null && choice.values.includes(own) ? own : choice.default;
}
