/**
 * Practice-authored regular expressions (text field `pattern`), made safe to run on patient input.
 * JavaScript regexes backtrack, so a shape like `(a+)+$` can take exponential time on a crafted
 * answer. Three walls: on save, a length cap, a compile check (`u` flag, strict syntax) and a
 * refusal of the shapes that cause it (a repeated group that itself repeats or alternates, and
 * backreferences), then a timed probe against adversarial input; at answer time, the match runs
 * under a time limit on an answer whose length the field already caps.
 */
import vm from 'node:vm';

export const MAX_PATTERN_LENGTH = 200;
// Generous limits: a safe pattern needs microseconds, a catastrophic one on these lengths needs
// years, so only a pause of the process (GC, a loaded machine) could make a safe one look slow.
const PROBE_TIMEOUT_MS = 250;
const MATCH_TIMEOUT_MS = 200;

/** The anchored form: like HTML's `pattern` attribute, the whole answer must match. */
export function compilePattern(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

interface Frame {
  /** The group's content repeats something of variable length (`*`, `+`, `?`, `{n,m}`). */
  varies: boolean;
  alternates: boolean;
}

/** Reads a quantifier at `i`: its length in characters and whether it repeats more than once. */
function quantifierAt(src: string, i: number): { length: number; repeats: boolean; variable: boolean } | null {
  const c = src[i];
  let length = 0;
  let repeats = false;
  let variable = false;
  if (c === '*' || c === '+') {
    length = 1;
    repeats = true;
    variable = true;
  } else if (c === '?') {
    length = 1;
    variable = true;
  } else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
    if (!m) return null;
    length = m[0].length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    repeats = max > 1;
    variable = max !== min;
  } else {
    return null;
  }
  if (src[i + length] === '?') length++; // lazy form: same risk
  return { length, repeats, variable };
}

/** The first dangerous construct in `src`, or null. */
function shapeProblem(src: string): string | null {
  const stack: Frame[] = [{ varies: false, alternates: false }];
  let last: Frame | null = null; // the group that just closed, if the previous atom was a group
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    const top = stack[stack.length - 1]!;
    if (c === '\\') {
      const next = src[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'must not use backreferences (\\1, \\k<name>)';
      i++;
      last = null;
      continue;
    }
    if (c === '[') {
      // Skip the class; `]` right after `[` or `[^` is literal only outside the u flag, which we use.
      for (i++; i < src.length && src[i] !== ']'; i++) if (src[i] === '\\') i++;
      last = null;
      continue;
    }
    if (c === '(') {
      stack.push({ varies: false, alternates: false });
      if (src[i + 1] === '?') {
        const m = /^\?(?::|=|!|<=|<!|<[A-Za-z][A-Za-z0-9]*>)/.exec(src.slice(i + 1));
        if (m) i += m[0].length;
      }
      last = null;
      continue;
    }
    if (c === ')') {
      const closed = stack.length > 1 ? stack.pop()! : { varies: false, alternates: false };
      const parent = stack[stack.length - 1]!;
      parent.varies ||= closed.varies;
      parent.alternates ||= closed.alternates;
      last = closed;
      continue;
    }
    if (c === '|') {
      top.alternates = true;
      last = null;
      continue;
    }
    const q = quantifierAt(src, i);
    if (q) {
      if (last && q.repeats && (last.varies || last.alternates)) {
        return last.varies
          ? 'repeats a group that itself repeats, like (a+)+, which can take exponential time; use a single repetition'
          : 'repeats a group of alternatives, like (a|ab)+, which can take exponential time; use a character class such as [ab]+';
      }
      if (q.variable) top.varies = true;
      i += q.length - 1;
      last = null;
      continue;
    }
    last = null;
  }
  return null;
}

/** Inputs that make a backtracking pattern show its cost. */
const PROBES = ['a', '0', ' ', 'aA0 -_.@', 'x@x.'].map((unit) => unit.repeat(Math.ceil(3000 / unit.length)) + '\u0000');

const context = vm.createContext(Object.create(null));
const testScript = new vm.Script('re.test(s)');

/** Runs `re.test(s)` with a time limit; null when the limit was hit. */
function timedTest(re: RegExp, s: string, timeoutMs: number): boolean | null {
  (context as Record<string, unknown>).re = re;
  (context as Record<string, unknown>).s = s;
  try {
    return testScript.runInContext(context, { timeout: timeoutMs }) === true;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return null;
    throw err;
  } finally {
    (context as Record<string, unknown>).re = undefined;
    (context as Record<string, unknown>).s = undefined;
  }
}

/**
 * Why `pattern` cannot be used, or null when it is safe.
 * @example patternProblem('(a+)+$') // 'repeats a group that itself repeats, …'
 */
export function patternProblem(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return `must be at most ${MAX_PATTERN_LENGTH} characters`;
  let re: RegExp;
  try {
    re = compilePattern(pattern);
  } catch (err) {
    return `is not a valid regular expression: ${err instanceof Error ? err.message.replace(/^Invalid regular expression: /, '') : String(err)}`;
  }
  const shape = shapeProblem(pattern);
  if (shape) return shape;
  for (const probe of PROBES) {
    // A second try tells a pause of the process from a pattern that is really slow.
    if (timedTest(re, probe, PROBE_TIMEOUT_MS) === null && timedTest(re, probe, PROBE_TIMEOUT_MS) === null) {
      return 'takes too long to evaluate on long answers; simplify it';
    }
  }
  return null;
}

/** Whether `value` matches the (already checked) pattern; null if the check ran out of time. */
export function matchesPattern(pattern: string, value: string): boolean | null {
  return timedTest(compilePattern(pattern), value, MATCH_TIMEOUT_MS);
}
