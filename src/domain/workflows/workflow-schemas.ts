/** Request and response schemas of the workflow and task routes; the types are derived from them. */
import { Type, type Static } from 'typebox';
import { WorkflowDefinition } from './definition-schema.ts';

export const KindSchema = Type.Union([Type.Literal('appointment'), Type.Literal('invoice'), Type.Literal('patient_intake')], {
  description: 'Workflow kind',
});

export const KindParams = Type.Object({ kind: KindSchema });
export const InstanceParams = Type.Object({ kind: KindSchema, entityId: Type.String({ description: 'The appointment, invoice or (intake) patient id' }) });

export const TransitionInput = Type.Object(
  {
    transition: Type.String({ minLength: 1, maxLength: 40, description: 'Key of the transition to take' }),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Kept in the history; the reason of a cancellation or void' })),
  },
  { additionalProperties: false },
);
export type TransitionInput = Static<typeof TransitionInput>;

const StateView = Type.Object({
  key: Type.String(),
  label: Type.String(),
  systemStatus: Type.Union([Type.String(), Type.Null()]),
  final: Type.Boolean(),
});

export const AvailableTransition = Type.Object({
  key: Type.String(),
  label: Type.String(),
  to: Type.String(),
  toLabel: Type.String(),
  available: Type.Boolean({ description: 'Whether the signed-in user can take it now' }),
  blockedBy: Type.Union([Type.Literal('permission'), Type.Literal('guard'), Type.Null()], { description: 'Why not: a permission they lack, or a guard that does not hold' }),
});

export const InstanceView = Type.Object({
  kind: KindSchema,
  entityId: Type.String(),
  instanceId: Type.Union([Type.String(), Type.Null()], { description: 'Null until the first transition (appointments have one from booking)' }),
  state: StateView,
  entityStatus: Type.Union([Type.String(), Type.Null()], { description: "The entity's own status (null for intake)" }),
  version: Type.Integer({ description: 'The definition version the instance is on' }),
  versionInForce: Type.Integer(),
  data: Type.Record(Type.String(), Type.Union([Type.Boolean(), Type.Number(), Type.String(), Type.Null()]), { description: 'Values set by `set_field` actions' }),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
  transitions: Type.Array(AvailableTransition, { description: 'Transitions leaving the current state that people take (system ones are left out)' }),
});
export type InstanceView = Static<typeof InstanceView>;

export const HistoryItem = Type.Object({
  id: Type.String(),
  transition: Type.Union([Type.String(), Type.Null()], { description: 'Null when the core moved the instance with no matching transition' }),
  from: Type.String(),
  to: Type.String(),
  version: Type.Integer(),
  actor: Type.Object({ kind: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
  note: Type.Union([Type.String(), Type.Null()]),
  cause: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], { description: 'What the core did, e.g. {"type": "payment", "id": …}' }),
  actions: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'Each action and its outcome' }),
  at: Type.String(),
});
export const HistoryList = Type.Object({ items: Type.Array(HistoryItem) });

export const WorkflowSummary = Type.Object({
  kind: KindSchema,
  version: Type.Integer({ description: 'Version in force (0: the built-in default, never saved)' }),
  isDefault: Type.Boolean(),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
});
export const WorkflowList = Type.Object({ items: Type.Array(WorkflowSummary) });

export const WorkflowVersion = Type.Object({
  kind: KindSchema,
  version: Type.Integer(),
  isDefault: Type.Boolean(),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Union([Type.String(), Type.Null()]),
  definition: WorkflowDefinition,
});
export type WorkflowVersion = Static<typeof WorkflowVersion>;
export const WorkflowVersionList = Type.Object({ items: Type.Array(WorkflowVersion) });

export const ValidationReport = Type.Object({
  valid: Type.Boolean(),
  problems: Type.Array(Type.Object({ field: Type.String(), message: Type.String() })),
});

export const TaskView = Type.Object({
  id: Type.String(),
  role: Type.String(),
  title: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('done')]),
  kind: KindSchema,
  entityId: Type.String(),
  dueAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  completedAt: Type.Union([Type.String(), Type.Null()]),
  completedBy: Type.Union([Type.String(), Type.Null()]),
});

export const TaskQuery = Type.Object(
  {
    role: Type.Optional(Type.String({ maxLength: 40, description: 'Only tasks of this role (one of yours)' })),
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('done')], { description: 'Default open' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);
export type TaskQuery = Static<typeof TaskQuery>;
export const TaskList = Type.Object({ items: Type.Array(TaskView) });
