import { XIcon } from 'lucide-react';
import { Toast as ToastPrimitive } from 'radix-ui';
import { useTranslation } from 'react-i18next';
import { create } from 'zustand';
import { cn } from '@/lib/utils';

export type ToastVariant = 'default' | 'success' | 'error';

export type ToastItem = {
  id: number;
  title: string;
  description?: string;
  variant: ToastVariant;
};

type ToastState = {
  toasts: ToastItem[];
  push: (toast: Omit<ToastItem, 'id'>) => number;
  dismiss: (id: number) => void;
};

let nextId = 1;

export const useToasts = create<ToastState>((set) => ({
  toasts: [],
  push: (item) => {
    const id = nextId++;
    // Keep at most three on screen.
    set((state) => ({ toasts: [...state.toasts.slice(-2), { ...item, id }] }));
    return id;
  },
  dismiss: (id) => set((state) => ({ toasts: state.toasts.filter((t) => t.id !== id) })),
}));

/** Show a toast from anywhere (components, mutation callbacks, the HTTP layer). */
export const toast = {
  show: (title: string, description?: string) =>
    useToasts.getState().push({ title, description, variant: 'default' }),
  success: (title: string, description?: string) =>
    useToasts.getState().push({ title, description, variant: 'success' }),
  error: (title: string, description?: string) =>
    useToasts.getState().push({ title, description, variant: 'error' }),
};

export function Toaster() {
  const { t } = useTranslation();
  const toasts = useToasts((state) => state.toasts);
  const dismiss = useToasts((state) => state.dismiss);
  return (
    <ToastPrimitive.Provider swipeDirection="right" duration={5000} label={t('common.notifications')}>
      {toasts.map((item) => (
        <ToastPrimitive.Root
          key={item.id}
          type={item.variant === 'error' ? 'foreground' : 'background'}
          onOpenChange={(open) => {
            if (!open) dismiss(item.id);
          }}
          className={cn(
            'pointer-events-auto relative flex w-full items-start gap-3 rounded-lg border bg-card p-4 pr-10 shadow-lg animate-in data-[swipe=end]:translate-x-(--radix-toast-swipe-end-x) data-[swipe=move]:translate-x-(--radix-toast-swipe-move-x)',
            item.variant === 'error' && 'border-red-300 bg-red-50',
            item.variant === 'success' && 'border-green-300 bg-green-50',
          )}
        >
          <div className="grid gap-1">
            <ToastPrimitive.Title className="text-sm font-semibold">{item.title}</ToastPrimitive.Title>
            {item.description ? (
              <ToastPrimitive.Description className="text-sm text-muted-foreground">
                {item.description}
              </ToastPrimitive.Description>
            ) : null}
          </div>
          <ToastPrimitive.Close
            className="absolute top-3 right-3 rounded-sm p-1 text-muted-foreground hover:text-foreground"
            aria-label={t('common.close')}
          >
            <XIcon className="size-4" aria-hidden="true" />
          </ToastPrimitive.Close>
        </ToastPrimitive.Root>
      ))}
      {/* Top right, under the app's header: at the bottom a toast would cover the chat's
          composer (on phones the whole width of it). */}
      <ToastPrimitive.Viewport className="fixed top-14 right-0 z-[100] flex max-h-[calc(100dvh-3.5rem)] w-full flex-col gap-2 p-3 outline-none sm:max-w-sm sm:p-4" />
    </ToastPrimitive.Provider>
  );
}
