/**
 * The sandbox practice-authored templates run in: Liquid (liquidjs) with no file system, no partials,
 * own-property lookups only, an allowlist of filters, and parse/time/memory limits. Templates are
 * strings and the data is plain JSON built per message, so nothing a practice writes can reach the
 * process, the disk or another practice's data.
 */
import { Liquid, Token, type Template } from 'liquidjs';

/** Largest template source the parser accepts (characters). */
export const PARSE_LIMIT = 200_000;
/** Longest a single render may run (ms) before it is stopped (a large template renders in ~50 ms). */
export const RENDER_LIMIT_MS = 500;
/** Allocation budget of one render (liquidjs counts string and array growth in characters/items). */
export const MEMORY_LIMIT = 4_000_000;
/** Largest rendered output kept (characters): a message body beyond this is refused. */
export const OUTPUT_LIMIT = 1_000_000;

/** Tags that would read other templates (`include`, `render`, `layout`): refused when parsed. */
const FILE_TAGS = ['include', 'render', 'layout'] as const;

/**
 * Built-in filters left out: `raw` would bypass HTML escaping; `json`/`jsonify`/`inspect` dump
 * whole objects; `sample` makes previews differ from sends; the hashing and base64 filters have no
 * use in a message and only widen the surface.
 */
const DENIED_FILTERS = ['raw', 'json', 'jsonify', 'inspect', 'sample', 'sha256', 'hmac_sha256', 'base64_encode', 'base64_decode'] as const;

/** A file system that has no files: the second wall behind the refused tags. */
const NO_FILES = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file: string): Promise<string> => {
    throw new Error(`templates cannot read files (${file})`);
  },
  readFileSync: (file: string): string => {
    throw new Error(`templates cannot read files (${file})`);
  },
  resolve: (_dir: string, file: string) => file,
  contains: async () => false,
  containsSync: () => false,
};

export type TemplateMode = 'html' | 'text';

/**
 * liquidjs computes a token's line and column by scanning the source from its start, and static
 * analysis does so for every variable: quadratic, ~2 s for a 100 KB body. The same answer from a
 * binary search over the line starts of the (few, recent) sources makes it linear.
 */
const lineStartsOf = new Map<string, Int32Array>();
function lineStarts(input: string): Int32Array {
  let starts = lineStartsOf.get(input);
  if (!starts) {
    const list = [0];
    for (let i = input.indexOf('\n'); i !== -1; i = input.indexOf('\n', i + 1)) list.push(i + 1);
    starts = Int32Array.from(list);
    if (lineStartsOf.size >= 8) lineStartsOf.delete(lineStartsOf.keys().next().value as string);
    lineStartsOf.set(input, starts);
  }
  return starts;
}
Token.prototype.getPosition = function getPosition(this: Token): [number, number] {
  const starts = lineStarts(this.input);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= this.begin) lo = mid;
    else hi = mid - 1;
  }
  return [lo + 1, this.begin - starts[lo]! + 1];
};

function buildEngine(mode: TemplateMode): Liquid {
  const engine = new Liquid({
    fs: NO_FILES,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    dynamicPartials: false,
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
    cache: false,
    // Dates in templates are read in the zone their string carries (senders pass ISO with offset).
    preserveTimezones: true,
    timezoneOffset: 0,
    locale: 'en-US',
    parseLimit: PARSE_LIMIT,
    renderLimit: RENDER_LIMIT_MS,
    memoryLimit: MEMORY_LIMIT,
    ...(mode === 'html' ? { outputEscape: 'escape' as const } : {}),
  });
  for (const tag of FILE_TAGS) {
    engine.registerTag(tag, {
      parse() {
        throw new Error(`the "${tag}" tag is not available in message templates`);
      },
      render() {
        return '';
      },
    });
  }
  for (const name of DENIED_FILTERS) engine.unregisterFilter(name);
  return engine;
}

const ENGINES: Record<TemplateMode, Liquid> = { html: buildEngine('html'), text: buildEngine('text') };

/** The filters a template may use, sorted (for documentation and error messages). */
export function allowedFilters(): string[] {
  return Object.keys(ENGINES.text.filters).sort();
}

/** Where in the template source a problem is, when the parser could tell. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** A template the sandbox refused, with a message free of engine internals. */
export class TemplateError extends Error {
  constructor(message: string, readonly position: SourcePosition | null) {
    super(message);
    this.name = 'TemplateError';
  }

  /** `line 3, column 7: message` or just the message. */
  describe(): string {
    return this.position ? `line ${this.position.line}, column ${this.position.column}: ${this.message}` : this.message;
  }
}

interface LiquidLikeError {
  message?: string;
  token?: { getPosition?: () => [number, number] };
  originalError?: { message?: string };
}

/** Converts whatever liquidjs threw into a TemplateError with a position when it has one. */
export function toTemplateError(err: unknown): TemplateError {
  const e = (err ?? {}) as LiquidLikeError;
  let position: SourcePosition | null = null;
  try {
    const pos = e.token?.getPosition?.();
    if (pos && Number.isInteger(pos[0]) && Number.isInteger(pos[1])) position = { line: pos[0], column: pos[1] };
  } catch {
    position = null;
  }
  const raw = e.originalError?.message ?? e.message ?? 'the template could not be processed';
  // liquidjs appends ", line:X, col:Y" and a source excerpt; the position is reported separately.
  const message = raw.split('\n')[0]!.replace(/, line:\d+, col:\d+$/, '').replace(/^ENOENT: /, '').slice(0, 300);
  return new TemplateError(message, position);
}

/** Parses a template in the sandbox or throws a TemplateError naming line and column. */
export function parseTemplate(source: string, mode: TemplateMode): Template[] {
  if (source.length > PARSE_LIMIT) throw new TemplateError(`is longer than ${PARSE_LIMIT} characters`, null);
  try {
    return ENGINES[mode].parse(source);
  } catch (err) {
    throw toTemplateError(err);
  }
}

/** A variable a template reads from its data, as a dotted path, with where it is read. */
export interface VariableUse {
  readonly path: string;
  /** False when a segment is computed (`a[b]`): such a lookup cannot be checked before it runs. */
  readonly static: boolean;
  readonly position: SourcePosition;
}

/** Every variable a parsed template expects from its data (its own `assign`s and loop names excluded). */
export function variablesUsed(templates: Template[], mode: TemplateMode): VariableUse[] {
  const analysis = ENGINES[mode].analyzeSync(templates, { partials: false });
  const uses: VariableUse[] = [];
  for (const list of Object.values(analysis.globals)) {
    for (const v of list) {
      const segments = v.segments;
      const isStatic = segments.every((s) => typeof s === 'string' || typeof s === 'number');
      uses.push({
        path: segments.map((s) => (typeof s === 'string' || typeof s === 'number' ? String(s) : '[…]')).join('.'),
        static: isStatic,
        position: { line: v.location.row, column: v.location.col },
      });
    }
  }
  return uses;
}

/**
 * Renders a parsed template with plain JSON data. HTML mode escapes every output; text mode does
 * not. Throws a TemplateError when a limit is hit or the output is too large.
 */
export function renderParsed(templates: Template[], data: Record<string, unknown>, mode: TemplateMode): string {
  let out: unknown;
  try {
    out = ENGINES[mode].renderSync(templates, plainData(data), { ownPropertyOnly: true });
  } catch (err) {
    throw toTemplateError(err);
  }
  const text = String(out ?? '');
  if (text.length > OUTPUT_LIMIT) throw new TemplateError(`renders more than ${OUTPUT_LIMIT} characters`, null);
  return text;
}

/** Parses and renders in one step (previews, and the defaults). */
export function renderTemplate(source: string, data: Record<string, unknown>, mode: TemplateMode): string {
  return renderParsed(parseTemplate(source, mode), data, mode);
}

/**
 * A deep copy holding only JSON values (strings, finite numbers, booleans, null, arrays and plain
 * objects): no functions, class instances, getters or prototype-named keys can reach a template.
 */
export function plainData(value: Record<string, unknown>): Record<string, unknown> {
  return copyPlain(value, 0) as Record<string, unknown>;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function copyPlain(value: unknown, depth: number): unknown {
  if (depth > 8) return null;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.slice(0, 1000).map((v) => copyPlain(v, depth + 1));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (FORBIDDEN_KEYS.has(k)) continue;
      out[k] = copyPlain(v, depth + 1);
    }
    return out;
  }
  return null;
}
