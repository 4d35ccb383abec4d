import { QueryClient } from '@tanstack/react-query';
import { isApiError } from './errors';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // A client error will not fix itself; a network blip or a 5xx may.
        retry: (failureCount, error) =>
          failureCount < 2 && !(isApiError(error) && error.status >= 400 && error.status < 500),
        // Coming back to the tab resyncs what real-time events may have missed.
        refetchOnWindowFocus: true,
      },
      mutations: { retry: false },
    },
  });
}
