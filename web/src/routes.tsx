import { createBrowserRouter, Navigate } from 'react-router';
import { RequireAdmin, RequireAuth, RequireSupervisor } from './features/auth/guards';
import { LoginPage } from './features/auth/LoginPage';
import { InboxPage } from './features/inbox/InboxPage';
import { AppShell } from './features/shell/AppShell';
import { NotFoundPage } from './features/shell/NotFoundPage';
import { RouteError } from './features/shell/RouteError';
import { Splash } from './features/shell/Splash';

// The inbox is the first screen and ships in the main bundle; admin pages load on demand.
export const router = createBrowserRouter([
  { path: '/login', element: <LoginPage />, errorElement: <RouteError /> },
  // The sandbox phone plays the customer: public (its token is the credential), no shell.
  {
    path: '/sandbox/:webhookKey',
    errorElement: <RouteError />,
    hydrateFallbackElement: <Splash />,
    lazy: async () => ({ Component: (await import('./features/sandbox/SandboxPage')).SandboxPage }),
  },
  {
    path: '/',
    element: (
      <RequireAuth>
        <AppShell />
      </RequireAuth>
    ),
    errorElement: <RouteError />,
    hydrateFallbackElement: <Splash />,
    children: [
      { index: true, element: <Navigate to="/inbox" replace /> },
      { path: 'inbox', element: <InboxPage /> },
      { path: 'inbox/:conversationId', element: <InboxPage /> },
      {
        path: 'admin',
        children: [
          {
            element: <RequireAdmin />,
            children: [
              { index: true, element: <Navigate to="/admin/users" replace /> },
              {
                path: 'users',
                lazy: async () => ({ Component: (await import('./features/admin/UsersPage')).UsersPage }),
              },
              {
                path: 'departments',
                lazy: async () => ({
                  Component: (await import('./features/admin/DepartmentsPage')).DepartmentsPage,
                }),
              },
              {
                path: 'connections',
                lazy: async () => ({
                  Component: (await import('./features/admin/ConnectionsPage')).ConnectionsPage,
                }),
              },
              {
                path: 'quick-replies',
                lazy: async () => ({
                  Component: (await import('./features/admin/CatalogPages')).QuickRepliesPage,
                }),
              },
              {
                path: 'closing-reasons',
                lazy: async () => ({
                  Component: (await import('./features/admin/CatalogPages')).ClosingReasonsPage,
                }),
              },
              {
                path: 'tags',
                lazy: async () => ({ Component: (await import('./features/admin/CatalogPages')).TagsPage }),
              },
              {
                path: 'settings',
                lazy: async () => ({ Component: (await import('./features/admin/SettingsPage')).SettingsPage }),
              },
            ],
          },
          {
            // Supervisors read the audit log too (the API decides what else they see).
            element: <RequireSupervisor />,
            children: [
              {
                path: 'audit',
                lazy: async () => ({ Component: (await import('./features/admin/AuditPage')).AuditPage }),
              },
            ],
          },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
