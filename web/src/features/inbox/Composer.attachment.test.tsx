import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configureApiClient } from '@/api/http';
import { useAuth } from '@/auth/store';
import { TooltipProvider } from '@/components/ui/tooltip';
import { apiError, demoUser, fakeToken, pathOf } from '@/test/utils';
import { Composer } from './Composer';
import { MAX_ATTACHMENT_BYTES } from './fileSize';

const fetchMock = vi.fn<typeof fetch>();

function renderComposer() {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={queryClient}>
      <TooltipProvider>
        <Composer conversationId="conv-a" onSend={vi.fn(async () => undefined)} onNote={vi.fn(async () => undefined)} />
      </TooltipProvider>
    </QueryClientProvider>,
  );
}

/** A file that claims `size` bytes without allocating them. */
function fileOf(name: string, type: string, size: number): File {
  const file = new File(['x'], name, { type });
  Object.defineProperty(file, 'size', { value: size });
  return file;
}

beforeEach(() => {
  configureApiClient();
  useAuth.setState({ status: 'authenticated', accessToken: fakeToken('a'), expiresAt: Date.now() + 600_000, user: demoUser });
  fetchMock.mockReset();
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => vi.unstubAllGlobals());

describe('Composer attachments', () => {
  it('refuses a file over the size limit before uploading it', async () => {
    const user = userEvent.setup();
    renderComposer();

    await user.upload(screen.getByTestId('composer-file'), fileOf('video.mp4', 'video/mp4', MAX_ATTACHMENT_BYTES * 1.5));

    expect(screen.getByRole('alert')).toHaveTextContent('Este arquivo tem 150.0 MB; o limite é 100.0 MB.');
    expect(screen.queryByTestId('attachment-preview')).not.toBeInTheDocument();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('previews a file within the limit and shows the API field message when refused', async () => {
    const user = userEvent.setup();
    fetchMock.mockResolvedValue(
      apiError(422, 'validation_error', 'The file is larger than 5 MB.', [
        { field: 'file', message: 'The file is larger than 5 MB, the limit for image on cloud_api.', type: 'file_too_large' },
      ]),
    );
    renderComposer();

    await user.upload(screen.getByTestId('composer-file'), fileOf('foto.png', 'image/png', 6 * 1_048_576));
    expect(screen.getByTestId('attachment-preview')).toHaveTextContent('foto.png');
    expect(screen.getByTestId('attachment-preview')).toHaveTextContent('6.0 MB');
    await user.type(screen.getByLabelText('Legenda'), 'Comprovante');
    await user.click(screen.getByTestId('attachment-send'));

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The file is larger than 5 MB, the limit for image on cloud_api.',
    );
    const request = fetchMock.mock.calls[0]![0] as Request;
    expect(pathOf(request)).toBe('/api/messages/send-media');
    const form = await request.formData();
    expect(form.get('conversation_id')).toBe('conv-a');
    expect(form.get('caption')).toBe('Comprovante');
    expect((form.get('file') as File).name).toBe('foto.png');
  });
});
