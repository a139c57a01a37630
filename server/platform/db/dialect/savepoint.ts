import { CompiledQuery } from 'kysely';

export interface SavepointSql {
  save: CompiledQuery;
  release: CompiledQuery;
  rollback: CompiledQuery;
}
const savepoints = new Map<string, SavepointSql>();

/** The statements of one savepoint name, compiled once: event delivery opens one per subscriber and event. */
export function savepointSql(name: string): SavepointSql {
  let s = savepoints.get(name);
  if (!s) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad savepoint name ${name}`);
    s = { save: CompiledQuery.raw(`SAVEPOINT ${name}`), release: CompiledQuery.raw(`RELEASE SAVEPOINT ${name}`), rollback: CompiledQuery.raw(`ROLLBACK TO SAVEPOINT ${name}`) };
    savepoints.set(name, s);
  }
  return s;
}
