/** The user attributes a CSV column can feed. */
export type UserField = 'name' | 'firstName' | 'lastName' | 'email' | 'title' | 'mobile' | 'manager' | 'enabled';

/** How messages name a field when the file's own heading is not at hand. */
export const USER_FIELD_LABELS: Readonly<Record<UserField, string>> = {
  name: 'the display name',
  firstName: 'the first name',
  lastName: 'the last name',
  email: 'the e-mail address',
  title: 'the title',
  mobile: 'the mobile number',
  manager: "the manager's e-mail address",
  enabled: 'the Enabled flag',
};
