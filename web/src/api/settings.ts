import { useMutation, useQueryClient } from '@tanstack/react-query';
import { settingsUpdateSettings, type SettingsUpdate } from '@/client';

/** The key of useCompanySettings (./reference), which reads the same document. */
const SETTINGS_KEY = ['settings'];

export function useUpdateSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: SettingsUpdate) => (await settingsUpdateSettings({ body })).data,
    // The answer is the whole document: no need to fetch it again.
    onSuccess: (data) => queryClient.setQueryData(SETTINGS_KEY, data),
  });
}
