import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { MailRenderer } from '../application/ports/mail-renderer.port.js';
import type { MailTemplate } from '../domain/import-mail.js';
import { shortened } from '../../../shared/domain/shortened.js';
import type { RenderedMail } from '../domain/mail.js';

/** Next to this file in `src` (jest) and in `dist`, where nest build copies the .hbs assets. */
export const DEFAULT_TEMPLATES_DIR = fileURLToPath(new URL('./templates/', import.meta.url));

const TEMPLATE_NAMES = ['import-completed', 'import-failed'] as const satisfies readonly MailTemplate['name'][];

type Part = 'html' | 'text';
type Compiled = Handlebars.TemplateDelegate<object>;

interface MailTemplates {
  readonly subject: Compiled;
  readonly html: Compiled;
  readonly text: Compiled;
}

/**
 * strict: a misspelt field throws in the template's test instead of rendering as nothing in an admin's inbox.
 * knownHelpersOnly: a value in the data can never be called as a helper; templates use built-in helpers only.
 */
const COMPILE_OPTIONS: CompileOptions = { strict: true, knownHelpersOnly: true };

/** Already Handlebars' defaults; stated so that nobody turns them on without seeing what they guard against. */
const RUNTIME_OPTIONS: Handlebars.RuntimeOptions = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
};

/**
 * Renders the mail templates kept as .hbs files. HTML parts use an escaping Handlebars instance, so every value
 * from a CSV or a request is text, never markup; plain-text parts and subjects use a separate instance with
 * `noEscape`, because `&amp;` in a text mail is a bug. Each instance is isolated from the global Handlebars, so
 * nothing registered elsewhere leaks in, and all templates are read and parsed once, when the renderer is built.
 */
export class HandlebarsMailRenderer extends MailRenderer {
  private constructor(private readonly templates: ReadonlyMap<MailTemplate['name'], MailTemplates>) {
    super();
  }

  static fromDirectory(directory: string = DEFAULT_TEMPLATES_DIR): HandlebarsMailRenderer {
    const read = (file: string): string => readFileSync(join(directory, file), 'utf8');
    const html = instanceFor(directory, 'html', read, false);
    const text = instanceFor(directory, 'text', read, true);
    const templates = new Map<MailTemplate['name'], MailTemplates>();
    for (const name of TEMPLATE_NAMES) {
      templates.set(name, {
        subject: compile(text, read(`${name}.subject.hbs`), true),
        html: compile(html, read(`${name}.html.hbs`), false),
        text: compile(text, read(`${name}.text.hbs`), true),
      });
    }
    return new HandlebarsMailRenderer(templates);
  }

  render(template: MailTemplate): RenderedMail {
    const compiled = this.templates.get(template.name);
    if (compiled === undefined) throw new Error(`No mail template named ${template.name}`);
    const subject = oneLine(compiled.subject(template.model, RUNTIME_OPTIONS));
    const context = { ...template.model, subject };
    return {
      subject,
      html: compiled.html(context, RUNTIME_OPTIONS),
      text: tidyText(compiled.text(context, RUNTIME_OPTIONS)),
    };
  }
}

function instanceFor(directory: string, part: Part, read: (file: string) => string, noEscape: boolean): typeof Handlebars {
  const instance = Handlebars.create();
  instance.registerPartial('layout', compile(instance, read(`layout.${part}.hbs`), noEscape));
  const suffix = `.${part}.hbs`;
  for (const file of readdirSync(join(directory, 'partials'))) {
    if (!file.endsWith(suffix)) continue;
    instance.registerPartial(file.slice(0, -suffix.length), compile(instance, read(join('partials', file)), noEscape));
  }
  return instance;
}

/** Parsing here rather than on first use makes a broken template stop start-up, not a mail delivery. */
function compile(instance: typeof Handlebars, source: string, noEscape: boolean): Compiled {
  return instance.compile<object>(instance.parse(source), { ...COMPILE_OPTIONS, noEscape });
}

/** A subject is one header line: whatever a file name holds, no line break reaches it. */
function oneLine(rendered: string): string {
  const line = rendered.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? shortened(line, 199) : line;
}

/** Templates are laid out for their authors; readers get no trailing blanks or runs of empty lines. */
function tidyText(rendered: string): string {
  return `${rendered
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
