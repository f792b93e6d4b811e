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
