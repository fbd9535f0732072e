/** What a thrown value says, for a note or a log line: an Error's message, anything else as text. */
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
