import { useCallback, useEffect, useState } from 'react';
import { fetchMessageMedia } from '@/api/messages';

export type MediaUrl = {
  /** Attach to the element whose visibility starts the download. */
  ref: (element: Element | null) => void;
  /** An object URL of the file once downloaded; revoked when the bubble goes away. */
  url: string | undefined;
  failed: boolean;
};

/**
 * The stored file of a message as an object URL. Downloaded only once the bubble scrolls into
 * view (a long history would otherwise fetch every file), with the access token, which an
 * <img src> could not send.
 */
export function useMediaUrl(messageId: string, enabled: boolean): MediaUrl {
  const [element, setElement] = useState<Element | null>(null);
  const [visible, setVisible] = useState(false);
  const [url, setUrl] = useState<string>();
  const [failed, setFailed] = useState(false);
  const ref = useCallback((node: Element | null) => setElement(node), []);

  useEffect(() => {
    if (!enabled || visible || !element) return;
    if (typeof IntersectionObserver === 'undefined') {
      setVisible(true);
      return;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) setVisible(true);
      },
      { rootMargin: '200px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [element, enabled, visible]);

  useEffect(() => {
    if (!enabled || !visible) return;
    const controller = new AbortController();
    let objectUrl: string | undefined;
    setFailed(false);
    fetchMessageMedia(messageId, controller.signal).then(
      (blob) => {
        if (controller.signal.aborted) return; // unmounted meanwhile: nothing to revoke later
        objectUrl = URL.createObjectURL(blob);
        setUrl(objectUrl);
      },
      () => {
        if (!controller.signal.aborted) setFailed(true);
      },
    );
    return () => {
      controller.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
      setUrl(undefined);
    };
  }, [messageId, enabled, visible]);

  return { ref, url, failed };
}
