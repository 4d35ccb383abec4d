/** "typing…" from the simulated phone, the way a WhatsApp phone sends it. */

/** While the customer types, "typing" is said again this often: a lost signal, or an agent
 *  who opens the chat mid-sentence, is caught up within it (the inbox fades it after 10 s). */
export const TYPING_REPEAT_MS = 4_000;
/** "Stopped" after this long without a keystroke. */
export const TYPING_IDLE_MS = 3_000;

export class PhoneTyping {
  private idle: ReturnType<typeof setTimeout> | undefined;
  private saidAt = 0;

  constructor(private readonly say: (isTyping: boolean) => void) {}

  /** A keystroke in the message box. */
  keystroke(): void {
    const now = Date.now();
    if (this.idle === undefined || now - this.saidAt >= TYPING_REPEAT_MS) {
      this.saidAt = now;
      this.say(true);
    }
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.stop(), TYPING_IDLE_MS);
  }

  /** Idle, box emptied, message sent or page left: "stopped", once. */
  stop(): void {
    if (this.idle === undefined) return;
    clearTimeout(this.idle);
    this.idle = undefined;
    this.say(false);
  }
}
