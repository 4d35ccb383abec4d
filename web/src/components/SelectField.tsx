import type { ReactNode } from 'react';
import { Field } from './ui/field';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from './ui/select';

export type SelectOption<V extends string> = { value: V; label: ReactNode };

/** A labelled select of fixed options, with its hint and error (see `Field`). */
export function SelectField<V extends string>({
  label,
  error,
  hint,
  className,
  triggerClassName,
  value,
  options,
  disabled,
  onValueChange,
}: {
  label: ReactNode;
  error?: string;
  hint?: ReactNode;
  className?: string;
  triggerClassName?: string;
  value: V;
  options: readonly SelectOption<V>[];
  disabled?: boolean;
  onValueChange: (value: V) => void;
}) {
  return (
    <Field label={label} error={error} hint={hint} className={className}>
      {(control) => (
        // Radix hands back one of the options' values, so the cast only restores their type.
        <Select value={value} disabled={disabled} onValueChange={(next) => onValueChange(next as V)}>
          <SelectTrigger {...control} className={triggerClassName}>
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {options.map((option) => (
              <SelectItem key={option.value} value={option.value}>
                {option.label}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      )}
    </Field>
  );
}
