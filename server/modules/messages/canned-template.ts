import { Liquid } from 'liquidjs';
import { invalidField } from '../../platform/errors.js';
import { refuseFileTags } from '../../platform/liquid-sandbox.js';

const MAX_OUTPUT_CHARS = 100_000;

/** Templates are written by agents: no files to include, and hard limits on time and memory. */
const noFiles = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (): Promise<string> => {
    throw new Error('templates cannot include files');
  },
  readFileSync: (): string => {
    throw new Error('templates cannot include files');
  },
  resolve: (_dir: string, file: string) => file,
};

// No files behind it, and the tags that would read one refused when the template is saved.
const liquid = refuseFileTags(new Liquid({
  fs: noFiles,
  root: [],
  relativeReference: false,
  partials: [],
  layouts: [],
  strictVariables: false,
  strictFilters: true,
  ownPropertyOnly: true,
  parseLimit: 50_000,
  renderLimit: 200,
  memoryLimit: 1_000_000,
}));

/** Parses a template so a broken one is refused when it is saved, naming the field. */
export function checkTemplate(body: string): void {
  try {
    liquid.parse(body);
  } catch (err) {
    throw invalidField('body', `template error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}

/** Renders with the given variables; unknown placeholders become empty text. */
export async function renderTemplate(body: string, vars: Record<string, unknown>): Promise<string> {
  let out: string;
  try {
    out = String(await liquid.parseAndRender(body, vars));
  } catch (err) {
    throw invalidField('body', `template could not be rendered: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  return out.length > MAX_OUTPUT_CHARS ? out.slice(0, MAX_OUTPUT_CHARS) : out;
}
