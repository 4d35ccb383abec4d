/** A file size as people read it: "512 B", "34 KB", "2.5 MB". */
export function formatSize(bytes: unknown): string | null {
  if (typeof bytes !== 'number') return null;
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1_048_576) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/** The largest file any channel takes (Cloud API documents) and the server's default upload
 *  limit. The server checks the exact limit of the conversation's channel and file type;
 *  this only spares uploading a file that no channel would take. */
export const MAX_ATTACHMENT_BYTES = 100 * 1_048_576;
