// A journey drawn as an ordered list: the touches (channel, time, source / medium /
// campaign) and the submissions on one timeline, oldest first. The person card draws a
// person's journey; the company card all its persons' with whose each entry is and the
// company's first won deal among them.
//
// Campaign values come from visitors' URLs: text only, through el().

import { el, fmt, t } from './shell.js';
import { channelLabel } from './columns.js';

const dash = '—';

const text = (value) => (value === null || value === undefined || value === '' ? dash : String(value));

/** Milliseconds of an RFC 3339 time; entries without one sort last. */
const timeOf = (iso) => (iso ? Date.parse(iso) : Number.POSITIVE_INFINITY);

function timeElement(iso) {
  return el('time', { text: iso ? fmt.dateTime(iso) : dash, attrs: iso ? { datetime: iso } : {} });
}

function personLink(entry) {
  return el('a', { className: 'journey-who', text: entry.person_name, attrs: { href: `/people/${entry.person_id}` } });
}

function touchItem(entry, { company }) {
  const touch = entry.touch || {};
  const item = el('li', {
    className: 'journey-touch',
    attrs: { 'data-kind': 'touch', 'data-channel': touch.channel || '' },
  });
  item.append(
    timeElement(touch.at),
    el('span', { className: 'journey-kind', text: t('person.journey_touch') }),
    el('strong', { className: 'journey-channel', text: channelLabel(touch.channel) ?? t('person.journey_no_channel') }),
    el('span', {
      className: 'journey-campaign',
      text: [touch.source, touch.medium, touch.campaign].map(text).join(' / '),
    }),
  );
  if (company) item.append(personLink(entry));
  if (company && entry.before_first_deal === false) {
    item.append(el('span', { className: 'journey-note', text: t('company.journey_after_deal') }));
  } else if (!company && entry.before_lead === false) {
    item.append(el('span', { className: 'journey-note', text: t('person.journey_after_lead') }));
  }
  return item;
}

function submissionItem(entry, { company }) {
  const item = el('li', {
    className: `journey-submission${entry.lead_generation ? ' lead-generation' : ''}`,
    attrs: { 'data-kind': 'submission', 'data-submission': String(entry.id) },
  });
  item.append(
    timeElement(entry.at),
    el('span', { className: 'journey-kind', text: t('person.journey_submission') }),
    el('strong', { className: 'journey-form', text: t('person.journey_form', { form: entry.form }) }),
  );
  if (company) item.append(personLink(entry));
  if (entry.lead_generation) {
    item.append(el('span', { className: 'journey-badge', text: t('person.journey_lead_generation') }));
  }
  return item;
}

function dealItem(at) {
  return el('li', { className: 'journey-deal', attrs: { 'data-kind': 'deal' } }, [
    timeElement(at),
    el('strong', { text: t('company.journey_first_deal') }),
  ]);
}

/**
 * The list items of a journey (`GET …/journey`), oldest first. At the same time a touch
 * comes before the submission it led to, and a won deal after both. `company` adds whose
 * each entry is, and the first won deal.
 */
export function journeyItems(journey, { company = false } = {}) {
  const entries = [
    ...(journey.touches || []).map((entry, i) => ({ at: timeOf(entry.touch?.at), rank: 0, i, node: () => touchItem(entry, { company }) })),
    ...(journey.submissions || []).map((entry, i) => ({ at: timeOf(entry.at), rank: 1, i, node: () => submissionItem(entry, { company }) })),
  ];
  if (company && journey.first_won_deal_at) {
    entries.push({ at: timeOf(journey.first_won_deal_at), rank: 2, i: 0, node: () => dealItem(journey.first_won_deal_at) });
  }
  entries.sort((a, b) => a.at - b.at || a.rank - b.rank || a.i - b.i);
  return entries.map((entry) => entry.node());
}
