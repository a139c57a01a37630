import { CompiledQuery } from 'kysely';

/** Tags savepoint statements, so the SQLite driver knows where each savepoint begins and ends. */
export const SAVEPOINT_STEP = Symbol('tessera:savepoint-step');
export interface SavepointStep {
  verb: 'save' | 'release' | 'rollback';
  name: string;
}

const step = (text: string, verb: SavepointStep['verb'], name: string): CompiledQuery => ({ ...CompiledQuery.raw(text), [SAVEPOINT_STEP]: { verb, name } }) as CompiledQuery;

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
    s = { save: step(`SAVEPOINT ${name}`, 'save', name), release: step(`RELEASE SAVEPOINT ${name}`, 'release', name), rollback: step(`ROLLBACK TO SAVEPOINT ${name}`, 'rollback', name) };
    savepoints.set(name, s);
  }
  return s;
}
