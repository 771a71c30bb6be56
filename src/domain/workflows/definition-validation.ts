/**
 * Checks a workflow definition before it is saved, naming each problem by its JSON path
 * (`transitions.2.to`, the form the API uses for schema errors too). Beyond the schema: keys are
 * unique and known, every state is reachable and can be left unless final, each system status of
 * the kind has a state, transitions only make status changes the core can perform, permissions come
 * from the catalogue, guards are safe JsonLogic and actions name things that exist.
 */
import { Type, type TSchema } from 'typebox';
import Value from 'typebox/value';
import type { FieldError } from '../../errors/catalogue.ts';
import { isPermission } from '../access/permissions.ts';
import { CallWebhookAction, CreateTaskAction, SendEmailAction, SetFieldAction, WorkflowDefinition, WorkflowState } from './definition-schema.ts';
import { checkGuard } from './guards.ts';
import { coreAllows, KIND_SPECS, type WorkflowKind } from './kinds.ts';

const ACTION_SCHEMAS: Readonly<Record<string, TSchema>> = {
  send_email: SendEmailAction,
  create_task: CreateTaskAction,
  set_field: SetFieldAction,
  call_webhook: CallWebhookAction,
};

/** The definition's shape with actions left open: they are checked one by one, by their `type`. */
const Shape = Type.Object(
  {
    states: Type.Array(WorkflowState, { minItems: 1, maxItems: 40 }),
    initial: Type.String(),
    transitions: Type.Array(
      Type.Object(
        {
          ...WorkflowDefinition.properties.transitions.items.properties,
          actions: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 10 })),
        },
        { additionalProperties: false },
      ),
      { maxItems: 100 },
    ),
  },
  { additionalProperties: false },
);

/** What the practice has that definitions refer to. */
export interface ValidationContext {
  /** Role keys of the practice (create_task). */
  readonly roleKeys: ReadonlySet<string>;
  /** Message kinds the practice can send (send_email); null when no catalogue is available. */
  readonly messageKinds: ReadonlySet<string> | null;
}

function schemaErrors(schema: TSchema, value: unknown, prefix: string[]): FieldError[] {
  const out = new Map<string, FieldError>();
  for (const e of Value.Errors(schema, value)) {
    if (e.keyword === 'boolean') continue; // the additionalProperties entry below names the same field
    const path = [...prefix, ...e.instancePath.split('/').filter(Boolean)];
    const params = e.params as { requiredProperties?: string[]; additionalProperties?: string[] };
    const named = (names: string[] | undefined, message: string) => {
      for (const name of names ?? []) out.set([...path, name].join('.'), { field: [...path, name].join('.'), message });
    };
    if (e.keyword === 'required') named(params.requiredProperties, 'is required');
    else if (e.keyword === 'additionalProperties') named(params.additionalProperties, 'is not a known field');
    else {
      const field = path.join('.') || '(body)';
      if (!out.has(field)) out.set(field, { field, message: e.message });
    }
  }
  return [...out.values()];
}

function actionErrors(action: unknown, path: string[], ctx: ValidationContext): FieldError[] {
  const type = (action as { type?: unknown } | null)?.type;
  const schema = typeof type === 'string' ? ACTION_SCHEMAS[type] : undefined;
  if (!schema) return [{ field: [...path, 'type'].join('.'), message: `must be one of ${Object.keys(ACTION_SCHEMAS).join(', ')}` }];
  const errors = schemaErrors(schema, action, path);
  if (errors.length > 0) return errors;
  const a = action as { type: string; role?: string; message?: string };
  if (a.type === 'create_task' && !ctx.roleKeys.has(a.role!)) {
    errors.push({ field: [...path, 'role'].join('.'), message: `is not a role of this practice (roles: ${[...ctx.roleKeys].sort().join(', ')})` });
  }
  if (a.type === 'send_email' && ctx.messageKinds && !ctx.messageKinds.has(a.message!)) {
    errors.push({ field: [...path, 'message'].join('.'), message: `is not a message kind of the template catalogue (kinds: ${[...ctx.messageKinds].sort().join(', ')})` });
  }
  return errors;
}

/** States reachable from `initial` along any transition. */
function reachable(def: WorkflowDefinition): Set<string> {
  const seen = new Set([def.initial]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const t of def.transitions) {
      if (!seen.has(t.to) && t.from.some((f) => seen.has(f))) {
        seen.add(t.to);
        grew = true;
      }
    }
  }
  return seen;
}

/** Every problem of `value` as a definition of `kind` (an empty list when it can be saved). */
export function validateDefinition(kind: WorkflowKind, value: unknown, ctx: ValidationContext): FieldError[] {
  const shape = schemaErrors(Shape, value, []);
  if (shape.length > 0) return shape;
  const def = value as WorkflowDefinition;
  const spec = KIND_SPECS[kind];
  const errors: FieldError[] = [];
  const err = (field: string, message: string) => errors.push({ field, message });

  const states = new Map<string, WorkflowState>();
  def.states.forEach((s, i) => {
    if (states.has(s.key)) err(`states.${i}.key`, `duplicates the state "${s.key}"`);
    states.set(s.key, s);
    if (spec.statuses.length === 0) {
      if (s.systemStatus !== undefined) err(`states.${i}.systemStatus`, `must be left out: ${kind} has no system statuses`);
    } else if (s.systemStatus === undefined) {
      err(`states.${i}.systemStatus`, `is required (one of ${spec.statuses.join(', ')})`);
    } else if (!spec.statuses.includes(s.systemStatus)) {
      err(`states.${i}.systemStatus`, `must be one of ${spec.statuses.join(', ')}`);
    }
  });
  for (const status of spec.statuses) {
    if (!def.states.some((s) => s.systemStatus === status)) err('states', `has no state for the system status "${status}"`);
  }
  const initial = states.get(def.initial);
  if (!initial) err('initial', `is not a state of this definition`);
  else if (spec.initialStatus !== null && initial.systemStatus !== undefined && initial.systemStatus !== spec.initialStatus) {
    err('initial', `must be a state with system status "${spec.initialStatus}" (every new ${spec.noun} starts there)`);
  }

  const keys = new Set<string>();
  def.transitions.forEach((t, i) => {
    const at = `transitions.${i}`;
    if (keys.has(t.key)) err(`${at}.key`, `duplicates the transition "${t.key}"`);
    keys.add(t.key);
    const to = states.get(t.to);
    if (!to) err(`${at}.to`, 'is not a state of this definition');
    t.from.forEach((f, j) => {
      const from = states.get(f);
      if (!from) return err(`${at}.from.${j}`, 'is not a state of this definition');
      if (from.final) err(`${at}.from.${j}`, `is a final state: no transition may leave it`);
      if (!to || spec.statuses.length === 0 || from.systemStatus === undefined || to.systemStatus === undefined) return;
      const pair = `${from.systemStatus}>${to.systemStatus}`;
      if (!coreAllows(kind, from.systemStatus, to.systemStatus)) {
        err(`${at}.to`, `moves the ${spec.noun} from "${from.systemStatus}" (state "${f}") to "${to.systemStatus}", a change the core does not make`);
      } else if (spec.coreOnlyPairs.has(pair) && t.system !== true) {
        err(`${at}.system`, `must be true: only payments and refunds move an ${spec.noun} from "${from.systemStatus}" to "${to.systemStatus}"`);
      } else if (t.system === true && from.systemStatus === to.systemStatus) {
        err(`${at}.system`, `must not be true: the core never takes a transition that keeps the status "${to.systemStatus}"`);
      }
    });
    if (t.system === true && spec.statuses.length === 0) err(`${at}.system`, `must not be true: nothing in the core moves a ${kind} workflow`);
    if (t.permission !== undefined) {
      if (!isPermission(t.permission)) err(`${at}.permission`, 'is not a permission of the catalogue');
      else if (t.system === true) err(`${at}.permission`, 'must be left out: a system transition is taken by the core, not by a person');
    }
    errors.push(...checkGuard(kind, `${at}.guard`, t.guard));
    (t.actions ?? []).forEach((a, j) => errors.push(...actionErrors(a, [...at.split('.'), 'actions', String(j)], ctx)));
  });

  if (initial) {
    const seen = reachable(def);
    def.states.forEach((s, i) => {
      if (!seen.has(s.key)) err(`states.${i}`, `"${s.key}" is not reachable from the initial state "${def.initial}"`);
      if (!s.final && !def.transitions.some((t) => t.from.includes(s.key))) {
        err(`states.${i}`, `"${s.key}" is not final, yet no transition leaves it (mark it final or add a way out)`);
      }
    });
  }
  return errors;
}
