/**
 * A question a module asks of modules it may not import (a lower tier, or its own tier: DESIGN.md
 * 4). It declares the port; the composition root (main.ts, beside the event subscribers, so every
 * process, the CLI and tests have it) hands in the answers at start. Unwired, a check would pass
 * without being made, so asking an unwired port fails loudly instead.
 */
export interface Port<T> {
  register(answers: T): void;
  get(): T;
}

export function definePort<T>(name: string): Port<T> {
  let answers: T | null = null;
  return {
    register: (given) => {
      answers = given;
    },
    get: () => {
      if (!answers) throw new Error(`${name}: its answers were not registered at start (main.ts registerSubscribers)`);
      return answers;
    },
  };
}

/** The other side's records a refused change names: `"Pager", "CRM sync" and 3 more` (the details carry every id). */
export const namedFew = (items: readonly { name: string }[], max = 5): string =>
  items
    .slice(0, max)
    .map((r) => JSON.stringify(r.name))
    .join(', ') + (items.length > max ? ` and ${items.length - max} more` : '');
