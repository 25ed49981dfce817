/**
 * The commands `help` lists. Shared by the access policy (`src/app/access.ts`, which shapes `help`
 * to what the asker may do) and the message builder (which renders the list).
 */
/** Commands of `help`, in the order they are listed (`product.md`, "Commands"). */
export const HELP_COMMANDS = ['start', 'status', 'resume', 'cancel', 'audit', 'check', 'product', 'help'] as const;
export type HelpCommand = (typeof HELP_COMMANDS)[number];
