import { useTranslation } from 'react-i18next';
import { Spinner } from './Spinner';
import { Button, type ButtonProps } from './ui/button';
import { DialogClose, DialogFooter } from './ui/dialog';

/** A dialog's footer: Cancel, which closes it, and the button that acts (its props are the
 *  Button's); while `pending`, that button spins and is disabled. */
export function DialogActions({ pending, children, ...action }: ButtonProps & { pending?: boolean }) {
  const { t } = useTranslation();
  return (
    <DialogFooter>
      <DialogClose asChild>
        <Button variant="outline">{t('common.cancel')}</Button>
      </DialogClose>
      <Button {...action} disabled={pending}>
        {pending ? <Spinner /> : null}
        {children}
      </Button>
    </DialogFooter>
  );
}
