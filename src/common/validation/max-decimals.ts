import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * At most `places` decimals, also for numbers JavaScript prints in exponent notation (`1e-7`), on
 * which class-validator's `IsNumber({ maxDecimalPlaces })` throws instead of failing.
 */
export function MaxDecimals(places: number, options?: ValidationOptions): PropertyDecorator {
  const scale = 10 ** places;
  return ValidateBy(
    {
      name: 'maxDecimals',
      constraints: [places],
      validator: {
        validate: (value: unknown) =>
          typeof value === 'number' &&
          Number.isFinite(value) &&
          Math.round(value * scale) / scale === value,
        defaultMessage: () => `$property must have at most ${places} decimals`,
      },
    },
    options,
  );
}
