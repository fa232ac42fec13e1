import type { CsvRecord } from './csv-record.js';
import { EmailAddress } from '../../users/domain/email-address.js';
import { type HeaderMapping, headingKey, isAccountStatus } from './header-mapping.js';
import { PhoneNumber, assertPhoneRegion } from '../../users/domain/phone-number.js';
import type { UserField } from './user-field.js';
import { cellText } from './formula-cell.js';
import { shortened } from '../../../shared/domain/shortened.js';
import {
  directionControlProblem,
  firstDirectionControl,
  isOnlyInvisible,
  withoutDirectionControls,
  withoutHiddenCharacters,
} from '../../../shared/domain/invisible-characters.js';

/**
 * A line that passed every per-line rule. Blank cells are undefined: "leave the user's value as it is".
 * Whether the user exists (and so whether `name` must be composed) is for the application to know.
 */
export interface ValidUserRow {
  readonly line: number;
  /** Trimmed, as written: what the user will see. */
  readonly email: string;
  /** Lower-cased e-mail: the user's identity within the network. */
  readonly emailKey: string;
  readonly name?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly title?: string;
  /** E.164, e.g. +911234123411. */
  readonly mobile?: string;
  /**
   * The manager's lower-cased e-mail; a cell that is no e-mail address (a name, say) as written, which no user has:
   * an unknown manager, a warning once the file is in, never a reason to lose the line.
   */
  readonly managerEmailKey?: string;
  /** TRUE → true, FALSE → false, blank → null (leave the state alone). */
  readonly enabled: boolean | null;
}

export interface RowRejection {
  readonly line: number;
  /** The field at fault; absent when the line as a whole is (wrong number of fields). */
  readonly field?: UserField;
  /** For a person, naming the line and the column as the file heads it. */
  readonly error: string;
  /** The line's e-mail cell (trimmed) when it has one, so a report can say whose line it was. */
  readonly email?: string;
}

export type UserRowResult = { readonly ok: true; readonly row: ValidUserRow } | { readonly ok: false; readonly rejection: RowRejection };

export interface UserRowValidatorOptions {
  /** ISO 3166 region (e.g. "IN") for mobiles written without a country code; none by default. */
  readonly defaultRegion?: string;
}

export const MAX_TEXT_LENGTH = 200;
const TRUE_FALSE: readonly [string, string] = ['TRUE', 'FALSE'];
const ACCOUNT_STATUS_WORDS: readonly [string, string] = ['ACTIVE', 'SUSPENDED'];
const SHOWN_VALUE_LENGTH = 60;

/**
 * Checks one record against the mapped header. Built once per file: column positions and headings are looked
 * up here, not per row.
 */
export class UserRowValidator {
  private readonly fieldCount: number;
  private readonly email: number;
  private readonly name: number;
  private readonly firstName: number;
  private readonly lastName: number;
  private readonly title: number;
  private readonly mobile: number;
  private readonly manager: number;
  private readonly enabled: number;
  private readonly headings: Readonly<Record<UserField, string>>;
  /** What the Enabled column says for an active and for a deactivated user, in upper case. */
  private readonly enabledWords: readonly [string, string];
  private readonly defaultRegion: string | undefined;

  constructor(mapping: HeaderMapping, options: UserRowValidatorOptions = {}) {
    if (options.defaultRegion !== undefined) assertPhoneRegion(options.defaultRegion);
    this.defaultRegion = options.defaultRegion;
    this.fieldCount = mapping.columns.length;
    const at = (field: UserField): number => mapping.indexOf[field] ?? -1;
    this.email = at('email');
    this.name = at('name');
    this.firstName = at('firstName');
    this.lastName = at('lastName');
    this.title = at('title');
    this.mobile = at('mobile');
    this.manager = at('manager');
    this.enabled = at('enabled');
    const heading = (field: UserField): string => {
      const index = mapping.indexOf[field];
      return index === undefined ? field : mapping.columns[index].heading;
    };
    this.headings = {
      name: heading('name'),
      firstName: heading('firstName'),
      lastName: heading('lastName'),
      email: heading('email'),
      title: heading('title'),
      mobile: heading('mobile'),
      manager: heading('manager'),
      enabled: heading('enabled'),
    };
    this.enabledWords = isAccountStatus(this.headings.enabled) ? ACCOUNT_STATUS_WORDS : TRUE_FALSE;
  }

  validate(record: CsvRecord): UserRowResult {
    const { line, fields } = record;
    if (fields.length !== this.fieldCount) {
      // Cells past the headings have no column in the error report: the message is where the admin sees them.
      const beyond = fields.length > this.fieldCount ? ` (past the headings: ${shown(fields.slice(this.fieldCount).map((f) => `"${f}"`).join(', '))})` : '';
      return reject(line, undefined, `line ${line} has ${plural(fields.length, 'field')} but the header has ${this.fieldCount}${beyond}`, cell(fields, this.email));
    }
    const emailText = cell(fields, this.email);
    if (emailText === undefined) {
      return reject(line, 'email', `line ${line}: the e-mail address (column "${this.headings.email}") is empty`);
    }
    const email = EmailAddress.parse(emailText);
    if (!email.ok) {
      // Two exports pasted into one file bring the second one's heading line along.
      if (headingKey(emailText) === headingKey(this.headings.email)) {
        return reject(line, 'email', `line ${line} repeats the heading line (were two files put together?); remove it`, emailText);
      }
      return this.invalid(line, 'email', emailText, `is not a valid e-mail address (${email.reason})`, emailText);
    }

    const name = cell(fields, this.name);
    const firstName = cell(fields, this.firstName);
    const lastName = cell(fields, this.lastName);
    const title = cell(fields, this.title);
    const textProblem =
      this.textProblem(line, 'name', name, emailText) ??
      this.textProblem(line, 'firstName', firstName, emailText) ??
      this.textProblem(line, 'lastName', lastName, emailText) ??
      this.textProblem(line, 'title', title, emailText);
    if (textProblem !== undefined) return textProblem;

    let mobile: string | undefined;
    const mobileText = cell(fields, this.mobile);
    if (mobileText !== undefined) {
      let phone = PhoneNumber.parse(mobileText, this.defaultRegion);
      const visible = phone.ok ? mobileText : withoutHiddenCharacters(mobileText);
      if (visible !== mobileText) phone = PhoneNumber.parse(visible, this.defaultRegion);
      if (!phone.ok) return this.invalid(line, 'mobile', mobileText, `is not a valid mobile number (${phone.reason})`, emailText);
      mobile = phone.value.e164;
    }

    const managerText = cell(fields, this.manager);
    let managerEmailKey = managerText;
    if (managerText !== undefined) {
      let manager = EmailAddress.parse(managerText);
      const visible = manager.ok ? managerText : withoutHiddenCharacters(managerText);
      if (visible !== managerText) manager = EmailAddress.parse(visible);
      if (manager.ok) managerEmailKey = manager.value.key;
    }

    let enabled: boolean | null = null;
    const enabledText = cell(fields, this.enabled);
    if (enabledText !== undefined) {
      const [on, off] = this.enabledWords;
      let upper = enabledText.toUpperCase();
      if (upper !== on && upper !== off) upper = withoutHiddenCharacters(upper);
      if (upper === on) enabled = true;
      else if (upper === off) enabled = false;
      else if (this.enabledWords === ACCOUNT_STATUS_WORDS) return this.invalid(line, 'enabled', enabledText, 'must be Active, Suspended or left blank', emailText);
      else return this.invalid(line, 'enabled', enabledText, 'must be TRUE, FALSE or left blank', emailText);
    }

    return {
      ok: true,
      row: { line, email: email.value.value, emailKey: email.value.key, name, firstName, lastName, title, mobile, managerEmailKey, enabled },
    };
  }

  private invalid(line: number, field: UserField, value: string, problem: string, email: string): UserRowResult {
    return reject(line, field, `line ${line}: "${shown(value)}" in column "${this.headings[field]}" ${problem}`, email);
  }

  private textProblem(line: number, field: UserField, value: string | undefined, email: string): UserRowResult | undefined {
    if (value === undefined) return undefined;
    if (value.length > MAX_TEXT_LENGTH) {
      return reject(line, field, `line ${line}: the value in column "${this.headings[field]}" is longer than ${MAX_TEXT_LENGTH} characters`, email);
    }
    const control = firstDirectionControl(value);
    // Shown without its controls, or the message itself would show reordered.
    return control === undefined ? undefined : this.invalid(line, field, withoutDirectionControls(value), directionControlProblem(control), email);
  }
}

/** The cell's text as a spreadsheet shows it, trimmed; undefined when blank, invisible characters alone included. */
function cell(fields: readonly string[], index: number): string | undefined {
  if (index < 0 || index >= fields.length) return undefined;
  const value = cellText(fields[index].trim());
  return value === '' || isOnlyInvisible(value) ? undefined : value;
}

function reject(line: number, field: UserField | undefined, error: string, email?: string): UserRowResult {
  return { ok: false, rejection: { line, field, error, email } };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function shown(value: string): string {
  return shortened(value, SHOWN_VALUE_LENGTH);
}
