import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configureApiClient } from '@/api/http';
import { resetSessionModule } from '@/auth/session';
import { useAuth } from '@/auth/store';
import { Toaster } from '@/components/ui/toast';
import { apiError, json, pathOf, session } from '@/test/utils';
import { LoginPage, safeNext } from './LoginPage';

const fetchMock = vi.fn<typeof fetch>();

function renderLogin(path = '/login') {
  const router = createMemoryRouter(
    [
      { path: '/login', element: <LoginPage /> },
      { path: '/inbox', element: <p>inbox page</p> },
      { path: '/admin/users', element: <p>users page</p> },
    ],
    { initialEntries: [path] },
  );
  render(
    <>
      <RouterProvider router={router} />
      <Toaster />
    </>,
  );
  return router;
}

beforeEach(() => {
  configureApiClient();
  resetSessionModule();
  useAuth.setState({ status: 'anonymous', accessToken: null, expiresAt: null, user: null, endReason: null });
  fetchMock.mockReset();
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => vi.unstubAllGlobals());

async function fillAndSubmit(email: string, password: string) {
  const user = userEvent.setup();
  if (email) await user.type(screen.getByLabelText('E-mail'), email);
  if (password) await user.type(screen.getByLabelText('Senha'), password);
  await user.click(screen.getByRole('button', { name: 'Entrar' }));
}

describe('LoginPage', () => {
  it('asks for both fields before calling the server', async () => {
    renderLogin();
    await fillAndSubmit('', '');
    expect(screen.getAllByText('Obrigatório.')).toHaveLength(2);
    expect(screen.getByLabelText('E-mail')).toHaveAttribute('aria-invalid', 'true');
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('signs in and goes where the user was headed', async () => {
    fetchMock.mockResolvedValueOnce(json(session('token')));
    const router = renderLogin('/login?next=%2Fadmin%2Fusers');
    await fillAndSubmit('admin@demo.nexus', 'nexus-demo-123');
    expect(await screen.findByText('users page')).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/admin/users');
    expect(useAuth.getState().status).toBe('authenticated');
    const [request] = fetchMock.mock.calls[0]!;
    expect(pathOf(request)).toBe('/api/auth/login');
    expect(await (request as Request).json()).toEqual({ email: 'admin@demo.nexus', password: 'nexus-demo-123' });
  });

  it('shows wrong credentials in the user language', async () => {
    fetchMock.mockResolvedValueOnce(apiError(401, 'invalid_credentials', 'Invalid e-mail or password.'));
    renderLogin();
    await fillAndSubmit('admin@demo.nexus', 'wrong');
    expect(await screen.findByRole('alert')).toHaveTextContent('E-mail ou senha incorretos.');
  });

  it('puts the API field errors beside their fields', async () => {
    fetchMock.mockResolvedValueOnce(
      apiError(422, 'validation_error', 'Some fields are invalid.', [
        { field: 'email', location: 'body', message: 'value is not a valid email address', type: 'value_error' },
      ]),
    );
    renderLogin();
    await fillAndSubmit('not-an-email', 'whatever');
    expect(await screen.findByText('Informe um e-mail válido.')).toBeInTheDocument();
    expect(screen.getByLabelText('E-mail')).toHaveAttribute('aria-invalid', 'true');
  });

  it('says how long to wait when rate limited', async () => {
    fetchMock.mockResolvedValueOnce(apiError(429, 'rate_limited', 'Too many requests.', null, { 'Retry-After': '120' }));
    renderLogin();
    await fillAndSubmit('admin@demo.nexus', 'wrong');
    const messages = await screen.findAllByText('Muitas tentativas. Tente de novo em 2 minutos.');
    expect(messages.length).toBeGreaterThanOrEqual(1); // inline, and as a toast
  });

  it('explains an expired session', () => {
    useAuth.setState({ endReason: 'expired' });
    renderLogin();
    expect(screen.getByText(/Sua sessão expirou/)).toHaveAttribute('role', 'status');
  });
});

describe('safeNext', () => {
  it('accepts same-site paths only', () => {
    expect(safeNext('/inbox/abc')).toBe('/inbox/abc');
    expect(safeNext('//evil.example')).toBe('/inbox');
    expect(safeNext('https://evil.example')).toBe('/inbox');
    expect(safeNext('/login')).toBe('/inbox');
    expect(safeNext(null)).toBe('/inbox');
  });
});
