import { EventUpcasters, type Upcaster } from '../../../src/shared/application/event-upcasters.js';

// A sample evolution of UserCreated: v1 had one "fullName"; v2 split it; v3 renamed "phone" to "mobile".
const v1ToV2: Upcaster = {
  type: 'UserCreated',
  fromVersion: 1,
  upcast: ({ fullName, ...rest }) => {
    const [firstName, ...others] = String(fullName).split(' ');
    return { ...rest, name: fullName, firstName, lastName: others.join(' ') || null };
  },
};
const v2ToV3: Upcaster = {
  type: 'UserCreated',
  fromVersion: 2,
  upcast: ({ phone, ...rest }) => ({ ...rest, mobile: phone ?? null }),
};
const otherType: Upcaster = { type: 'UserDeactivated', fromVersion: 1, upcast: (d) => ({ ...d, reason: 'unknown' }) };

describe('EventUpcasters', () => {
  // Registered out of order on purpose: the chain follows versions, not registration order.
  const upcasters = new EventUpcasters([v2ToV3, otherType, v1ToV2]);

  it('runs the whole chain from the stored version to the current one', () => {
    const stored = { userId: 'u1', fullName: 'Will Smith', phone: '+441234567890' };
    expect(upcasters.upcast('UserCreated', 1, stored)).toEqual({
      schemaVersion: 3,
      data: { userId: 'u1', name: 'Will Smith', firstName: 'Will', lastName: 'Smith', mobile: '+441234567890' },
    });
  });

  it('starts in the middle of the chain for an event stored at an intermediate version', () => {
    expect(upcasters.upcast('UserCreated', 2, { userId: 'u1', name: 'Anna', phone: undefined })).toEqual({
      schemaVersion: 3,
      data: { userId: 'u1', name: 'Anna', mobile: null },
    });
  });

  it('leaves an event already at the current version untouched (same object)', () => {
    const data = { userId: 'u1', name: 'Anna', mobile: null };
    const result = upcasters.upcast('UserCreated', 3, data);
    expect(result.schemaVersion).toBe(3);
    expect(result.data).toBe(data);
  });

  it('applies only the upcasters of the event type', () => {
    expect(upcasters.upcast('UserDeactivated', 1, { userId: 'u1' })).toEqual({ schemaVersion: 2, data: { userId: 'u1', reason: 'unknown' } });
    expect(upcasters.upcast('UserActivated', 1, { userId: 'u1' })).toEqual({ schemaVersion: 1, data: { userId: 'u1' } });
  });

  it('never rewrites the stored payload', () => {
    const stored = Object.freeze({ userId: 'u1', fullName: 'Will Smith' });
    upcasters.upcast('UserCreated', 1, stored);
    expect(stored).toEqual({ userId: 'u1', fullName: 'Will Smith' });
  });

  it('with no upcasters, is the identity', () => {
    expect(new EventUpcasters().upcast('UserCreated', 1, { a: 1 })).toEqual({ schemaVersion: 1, data: { a: 1 } });
  });
});
