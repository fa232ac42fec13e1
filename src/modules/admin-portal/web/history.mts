// A user's history in words: each event becomes the sentences an admin would write ("Title changed from Engineer
// to Director"). Events carry only new values, so the history is folded oldest first to know what each change
// replaced.

import type { HistoryEntry } from './api.mjs';
import { formatDateTime, h } from './dom.mjs';

/** The profile as the events so far left it; keys are the events' field names. */
type Profile = Record<string, unknown>;

const FIELD_WORDS: Record<string, string> = {
  email: 'E-mail',
  name: 'Name',
  firstName: 'First name',
  lastName: 'Last name',
  title: 'Title',
  mobile: 'Mobile',
  managerEmail: 'Manager',
};

/** The order a person reads a profile in, for the fields a user starts with. */
const CREATED_FIELDS = ['name', 'email', 'firstName', 'lastName', 'title', 'mobile', 'managerEmail'];

/** What the page knows of each import named in the history: its file name, when the API gave it. */
export type ImportNames = ReadonlyMap<string, string>;

export interface HistoryLine {
  /** The entry's headline, e.g. "Deactivated" or "Created by import staff.csv". */
  headline: (string | HTMLElement)[];
  /** Further sentences: the values a user started with, or each field of a profile update. */
  details: string[];
}

const isBlank = (value: unknown) => value === null || value === undefined || value === '';

/** A value as words; nested data from an event this page does not know is flattened, never shown as JSON. */
function words(value: unknown): string {
  if (isBlank(value)) return 'nothing';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.map(words).join(', ');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => `${fieldWords(key).toLowerCase()} ${words(inner)}`)
      .join(', ');
  }
  return String(value);
}

/** "firstName" → "First name", "managerEmail" → "Manager"; unknown keys are split at their capitals. */
function fieldWords(key: string): string {
  const known = FIELD_WORDS[key];
  if (known) return known;
  const spaced = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase().trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** ["Title", "Mobile", "Name"] → "Title, mobile and name". */
function listWords(labels: string[]): string {
  const [first, ...rest] = labels.map((label, i) => (i === 0 ? label : label.toLowerCase()));
  if (rest.length === 0) return first;
  return `${[first, ...rest.slice(0, -1)].join(', ')} and ${rest[rest.length - 1]}`;
}

function changeSentence(field: string, before: unknown, after: unknown): string {
  const label = fieldWords(field);
  if (isBlank(after)) return isBlank(before) ? `${label} cleared` : `${label} removed (was ${words(before)})`;
  if (isBlank(before)) return `${label} set to ${words(after)}`;
  return `${label} changed from ${words(before)} to ${words(after)}`;
}

function importLink(importId: string, names: ImportNames): HTMLElement {
  return h('a', { href: `#/imports/${encodeURIComponent(importId)}` }, names.get(importId) ?? importId);
}

/** "UserPasswordReset" → "Password reset": a type this page was not written for still reads as words. */
function typeWords(type: string): string {
  return fieldWords(type.replace(/^User(?=[A-Z])/, ''));
}

function describe(entry: HistoryEntry, profile: Profile, names: ImportNames): HistoryLine {
  const data = entry.data;
  const importId = entry.importId ?? (typeof data.importId === 'string' ? data.importId : null);
  switch (entry.type) {
    case 'UserCreated': {
      const details = CREATED_FIELDS.filter((field) => !isBlank(data[field])).map((field) => `${fieldWords(field)}: ${words(data[field])}`);
      if (isBlank(data.managerEmail) && !isBlank(data.managerId)) details.push(`Manager: ${words(data.managerId)}`);
      return { headline: importId ? ['Created by import ', importLink(importId, names)] : ['Created'], details };
    }
    case 'UserProfileUpdated': {
      const changes = typeof data.changes === 'object' && data.changes !== null ? (data.changes as Record<string, unknown>) : {};
      const sentences = Object.entries(changes).map(([field, value]) => changeSentence(field, profile[field], value));
      if (sentences.length === 1) return { headline: [sentences[0]], details: [] };
      return { headline: [sentences.length === 0 ? 'Profile updated' : `${listWords(Object.keys(changes).map(fieldWords))} changed`], details: sentences };
    }
    case 'UserManagerAssigned': {
      const manager = isBlank(data.managerEmail) ? data.managerId : data.managerEmail;
      const before = isBlank(profile.managerEmail) ? profile.managerId : profile.managerEmail;
      return { headline: [changeSentence('managerEmail', before, manager)], details: [] };
    }
    case 'UserDeactivated':
      return { headline: ['Deactivated'], details: [] };
    case 'UserActivated':
      return { headline: ['Activated'], details: [] };
    case 'UserInvitationRequested':
      return { headline: [isBlank(data.email) ? 'Invitation to Office Chat requested' : `Invitation to Office Chat requested for ${words(data.email)}`], details: [] };
    default: {
      const details = Object.entries(data)
        .filter(([key]) => key !== 'userId' && key !== 'networkId')
        .map(([key, value]) => `${fieldWords(key)}: ${words(value)}`);
      return { headline: [typeWords(entry.type)], details };
    }
  }
}

/** Applies an event to the folded profile, so that the next change knows the value it replaces. */
function evolve(profile: Profile, entry: HistoryEntry): void {
  const data = entry.data;
  if (entry.type === 'UserCreated') Object.assign(profile, data);
  else if (entry.type === 'UserProfileUpdated' && typeof data.changes === 'object' && data.changes !== null) Object.assign(profile, data.changes);
  else if (entry.type === 'UserManagerAssigned') Object.assign(profile, { managerId: data.managerId, managerEmail: data.managerEmail });
}

/** The history as list items, oldest first: what happened, when, by whom and from which import. */
export function historyItems(entries: HistoryEntry[], names: ImportNames): HTMLLIElement[] {
  const profile: Profile = {};
  return entries.map((entry) => {
    const { headline, details } = describe(entry, profile, names);
    evolve(profile, entry);
    const createdByImport = entry.type === 'UserCreated' && entry.importId !== null;
    return h(
      'li',
      { 'data-event-type': entry.type },
      h('p', { class: 'event-title' }, h('strong', {}, headline)),
      details.length > 0 ? h('ul', { class: 'event-details' }, details.map((sentence) => h('li', {}, sentence))) : null,
      h(
        'p',
        { class: 'muted event-meta' },
        h('time', { datetime: entry.recordedAt }, formatDateTime(entry.recordedAt)),
        ` · by ${entry.actor.email ?? entry.actor.id}`,
        entry.importId && !createdByImport ? [' · from import ', importLink(entry.importId, names)] : null,
      ),
    );
  });
}
