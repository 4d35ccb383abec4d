import { QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { RouterProvider } from 'react-router';
import { createQueryClient } from './api/queryClient';
import { useAuth } from './auth/store';
import { Toaster } from './components/ui/toast';
import { TooltipProvider } from './components/ui/tooltip';
import { adoptUserLocale } from './i18n';
import { router } from './routes';

export function App() {
  const [queryClient] = useState(createQueryClient);

  useEffect(
    () =>
      useAuth.subscribe((state, previous) => {
        // A session that ends (here or in another tab) takes its cached data with it, so the
        // next person to sign in on this browser never sees the previous one's.
        if (state.status === 'anonymous' && previous.status !== 'anonymous') queryClient.clear();
        // A session resumed from the cookie: the user's language, unless this browser chose one.
        if (state.status === 'authenticated' && previous.status === 'loading') {
          adoptUserLocale(state.user?.locale);
        }
      }),
    [queryClient],
  );

  return (
    <QueryClientProvider client={queryClient}>
      <TooltipProvider delayDuration={300}>
        <RouterProvider router={router} />
        <Toaster />
      </TooltipProvider>
    </QueryClientProvider>
  );
}
