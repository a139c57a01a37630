import { Tag, type Liquid, type TagToken, type TopLevelToken } from 'liquidjs';

const FILE_TAGS = ['include', 'render', 'layout'] as const;

/**
 * Makes the tags that read other template files a parse error on this engine. Templates written
 * in the workspace have no files to read: such a tag parsed, was saved, and then failed every
 * render with the loader's "Failed to lookup" (naming its search path). Refused where the
 * template is checked on save instead, with the reason, wherever it stands (inside an `if`, a
 * `{% liquid %}` block). `{% raw %}` text is not parsed and stays allowed.
 */
export function refuseFileTags(engine: Liquid): Liquid {
  for (const name of FILE_TAGS) {
    engine.registerTag(
      name,
      class extends Tag {
        constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
          super(token, remain, liquid);
          throw new Error(`{% ${name} %} is not available: a template cannot use other template files`);
        }

        // Never reached: the constructor refuses the tag while the template is parsed.
        render(): never {
          throw new Error(`{% ${name} %} is not available`);
        }
      },
    );
  }
  return engine;
}
