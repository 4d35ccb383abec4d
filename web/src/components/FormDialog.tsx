import { useId, type FormEvent, type ReactNode } from 'react';
import { DialogActions } from './DialogActions';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from './ui/dialog';

/** A dialog around one form: its title and description, the error that belongs to no field,
 *  the fields (laid out in two columns from `sm`), and Cancel / submit. Mount it only while
 *  open, so the form starts fresh; closing calls `onClose`. */
export function FormDialog({
  title,
  description,
  className,
  formError,
  pending,
  submitLabel,
  onSubmit,
  onClose,
  children,
}: {
  title: ReactNode;
  description: ReactNode;
  /** The dialog's width, e.g. `max-w-xl`. */
  className?: string;
  formError: string | null;
  /** While saving: the submit button spins and is disabled. */
  pending: boolean;
  submitLabel: ReactNode;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  onClose: () => void;
  children: ReactNode;
}) {
  const formId = useId();
  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent className={className}>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        {formError ? (
          <p role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
            {formError}
          </p>
        ) : null}
        <form id={formId} className="grid gap-4 sm:grid-cols-2" onSubmit={onSubmit} noValidate>
          {children}
        </form>
        <DialogActions type="submit" form={formId} pending={pending}>
          {submitLabel}
        </DialogActions>
      </DialogContent>
    </Dialog>
  );
}
