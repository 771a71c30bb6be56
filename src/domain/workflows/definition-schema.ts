/**
 * The shape of a workflow definition, declared once: the API validates and documents it from here,
 * and `validateDefinition` checks the same schema before the rules a schema cannot express.
 */
import { Type, type Static } from 'typebox';

const Key = (description: string) => Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description });
const Label = Type.String({ minLength: 1, maxLength: 80 });

export const WorkflowState = Type.Object(
  {
    key: Key('Stable key of the state (lower case, digits, underscores)'),
    label: Label,
    systemStatus: Type.Optional(
      Type.String({ description: 'The entity status this state stands for (appointments and invoices; absent for patient intake)' }),
    ),
    final: Type.Optional(Type.Boolean({ description: 'An end state: no transition may leave it' })),
  },
  { additionalProperties: false },
);
export type WorkflowState = Static<typeof WorkflowState>;

export const SendEmailAction = Type.Object(
  {
    type: Type.Literal('send_email'),
    message: Type.String({ pattern: '^[a-z][a-z0-9_.]{0,59}$', description: "A message kind of the practice's template catalogue; sent to the patient" }),
  },
  { additionalProperties: false },
);

export const CreateTaskAction = Type.Object(
  {
    type: Type.Literal('create_task'),
    role: Key('The role (key) whose members see the task'),
    title: Type.String({ minLength: 1, maxLength: 200, description: 'Fixed text: keep patient details out, the task links to its record' }),
    dueInMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 525_600 })),
  },
  { additionalProperties: false },
);

export const SetFieldAction = Type.Object(
  {
    type: Type.Literal('set_field'),
    field: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,39}$', description: "A key of the instance's `data` (letters, digits, underscores)" }),
    value: Type.Union([Type.Boolean(), Type.Number(), Type.String({ maxLength: 500 }), Type.Null()]),
  },
  { additionalProperties: false },
);

export const CallWebhookAction = Type.Object(
  { type: Type.Literal('call_webhook') },
  { additionalProperties: false, description: 'Emits the event `workflow.transition` to the endpoints subscribed to it' },
);

export const WorkflowAction = Type.Union([SendEmailAction, CreateTaskAction, SetFieldAction, CallWebhookAction]);
export type WorkflowAction = Static<typeof WorkflowAction>;

export const WorkflowTransition = Type.Object(
  {
    key: Key('Stable key of the transition, used to take it'),
    label: Label,
    from: Type.Array(Type.String(), { minItems: 1, maxItems: 40, description: 'States it may be taken from' }),
    to: Type.String({ description: 'The state it leads to' }),
    permission: Type.Optional(Type.String({ description: 'A permission of the catalogue the actor needs, besides the kind’s write permission' })),
    guard: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'JsonLogic over the entity view and `data`; false refuses the transition' })),
    actions: Type.Optional(Type.Array(WorkflowAction, { maxItems: 10, description: 'Run in order, in the transition’s transaction' })),
    system: Type.Optional(Type.Boolean({ description: 'Taken only by the core (an endpoint such as check-in, a payment), never through the workflow API' })),
  },
  { additionalProperties: false },
);
export type WorkflowTransition = Static<typeof WorkflowTransition>;

export const WorkflowDefinition = Type.Object(
  {
    states: Type.Array(WorkflowState, { minItems: 1, maxItems: 40 }),
    initial: Type.String({ description: 'The state new instances start in' }),
    transitions: Type.Array(WorkflowTransition, { maxItems: 100 }),
  },
  { additionalProperties: false, description: 'A workflow definition; see docs/workflows.md' },
);
export type WorkflowDefinition = Static<typeof WorkflowDefinition>;
