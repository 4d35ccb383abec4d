import { create } from 'zustand';
import { persist } from 'zustand/middleware';

/** Per-browser preferences, kept in localStorage. */
type Preferences = {
  desktopNotifications: boolean;
  sound: boolean;
  setDesktopNotifications: (on: boolean) => void;
  setSound: (on: boolean) => void;
};

export const usePreferences = create<Preferences>()(
  persist(
    (set) => ({
      desktopNotifications: false,
      sound: true,
      setDesktopNotifications: (on) => set({ desktopNotifications: on }),
      setSound: (on) => set({ sound: on }),
    }),
    { name: 'nexus.preferences', version: 1 },
  ),
);

/** Turn desktop notifications on, asking the browser's permission first. Returns the result. */
export async function enableDesktopNotifications(): Promise<'granted' | 'denied' | 'unsupported'> {
  if (typeof Notification === 'undefined') return 'unsupported';
  const permission =
    Notification.permission === 'default'
      ? await Notification.requestPermission()
      : Notification.permission;
  const granted = permission === 'granted';
  usePreferences.getState().setDesktopNotifications(granted);
  return granted ? 'granted' : 'denied';
}
