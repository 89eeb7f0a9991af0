// Words the selection pages share: a selection's kind and what it holds, and counts.

import { t } from './shell.js';

/** `{count}` in the plural form the language takes for `n` (`KEY_one`, `KEY_other`). */
export function countText(key, n) {
  return t(key, { count: n });
}

export function kindText(kind) {
  return t(kind === 'static' ? 'selections.kind_static' : 'selections.kind_dynamic');
}

export function entityText(entity) {
  return t(entity === 'company' ? 'selections.entity_company' : 'selections.entity_person');
}
