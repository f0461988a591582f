// Exit codes the CLI documents (see README): scripts can tell a clean run from one that needs attention.
export const EXIT = {
  ok: 0,
  /** The run failed: nothing useful was done (bad options, unreadable template, a fault). */
  failed: 1,
  /** Wrong usage: unknown option, bad value. */
  usage: 2,
  /** The run finished but some pages were quarantined or records need a person. */
  attention: 3,
} as const;

/** A mistake in how the command was called; printed without a stack trace, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
