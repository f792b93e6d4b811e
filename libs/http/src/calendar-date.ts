import { Transform } from 'class-transformer';
import { registerDecorator } from 'class-validator';

/** True for a real calendar date written YYYY-MM-DD (2024-02-30 is not one). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

const RFC3339_DATE_TIME = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * class-transformer: an RFC 3339 date-time (`2023-12-25T00:00:00Z`) becomes its calendar date as written
 * (`2023-12-25`), as the original answers; anything else is left for `IsCalendarDate` to judge.
 */
export const CalendarDateFromDateTime = () =>
  Transform(({ value }: { value: unknown }) => {
    const match = typeof value === 'string' ? RFC3339_DATE_TIME.exec(value) : null;
    return match && isCalendarDate(match[1]) && !Number.isNaN(Date.parse(value as string)) ? match[1] : value;
  });

/** class-validator rule: a real calendar date, YYYY-MM-DD. */
export function IsCalendarDate(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => isCalendarDate(value),
        defaultMessage: () => `${String(propertyName)} must be a real date written YYYY-MM-DD`,
      },
    });
}

const DATE_AND_TIME = /^(\d{4}-\d{2}-\d{2}) ([01]\d|2[0-3]):([0-5]\d):([0-5]\d)$/;
const SECOND_MS = 1000;
const DAY_MS = 24 * 60 * 60 * SECOND_MS;

/**
 * A list's date bound as the original takes it: `YYYY-MM-DD` (the whole day) or `YYYY-MM-DD hh:mm:ss` (that
 * second), in UTC. Undefined for anything else.
 */
export function dateFilterSpan(value: unknown): { start: Date; end: Date } | undefined {
  if (isCalendarDate(value)) {
    const start = new Date(`${value}T00:00:00Z`);
    return { start, end: new Date(start.getTime() + DAY_MS) };
  }
  const match = typeof value === 'string' ? DATE_AND_TIME.exec(value) : null;
  if (!match || !isCalendarDate(match[1])) return undefined;
  const start = new Date(`${match[1]}T${match[2]}:${match[3]}:${match[4]}Z`);
  return { start, end: new Date(start.getTime() + SECOND_MS) };
}

/** class-validator rule for a list's date bound: `YYYY-MM-DD` or `YYYY-MM-DD hh:mm:ss`. */
export function IsDateFilter(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isDateFilter',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => dateFilterSpan(value) !== undefined,
        defaultMessage: () => `${String(propertyName)} must be a real date written YYYY-MM-DD or YYYY-MM-DD hh:mm:ss`,
      },
    });
}
