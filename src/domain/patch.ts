/** PATCH plumbing shared by the update use cases: which fields were sent, and their SQL assignments. */
import { validationError } from '../errors/catalogue.ts';

/** The fields a PATCH body sends (undefined means "not sent"); sending none is a field error. */
export function sentFields<T extends object>(patch: T): [keyof T & string, unknown][] {
  const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as [keyof T & string, unknown][];
  if (entries.length === 0) throw validationError([{ field: '(body)', message: 'must change at least one field' }]);
  return entries;
}

/**
 * `column = $n, …` for the sent fields, each value (after `prepare`) appended to `params`.
 * @example const set = assignments(sentFields(patch), { name: 'name' }, params); // "name = $3"
 */
export function assignments<K extends string>(
  entries: readonly (readonly [K, unknown])[],
  columns: Record<K, string>,
  params: unknown[],
  prepare: (key: K, value: unknown) => unknown = (_key, value) => value,
): string {
  return entries
    .map(([key, value]) => {
      params.push(prepare(key, value));
      return `${columns[key]} = $${params.length}`;
    })
    .join(', ');
}
