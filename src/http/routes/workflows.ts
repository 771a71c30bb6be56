/** /api/workflows: a practice's workflow definitions (settings) and the instances of its entities. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { checkWorkflow, getWorkflow, listWorkflows, listWorkflowVersions, resetWorkflow, saveWorkflow } from '../../domain/workflows/definition-service.ts';
import { getHistory, getInstance, takeTransition } from '../../domain/workflows/transition-service.ts';
import {
  HistoryList,
  InstanceParams,
  InstanceView,
  KindParams,
  TransitionInput,
  ValidationReport,
  WorkflowList,
  WorkflowVersion,
  WorkflowVersionList,
} from '../../domain/workflows/workflow-schemas.ts';
import { problems } from '../schemas.ts';

const tags = ['Workflows'];

const KIND_PERMISSIONS =
  'Reading needs the kind’s read permission (`scheduling:read`, `billing:read`, `patients:read` for appointment, invoice, patient_intake), ' +
  'transitions its write permission (`scheduling:write`, `billing:write`, `patients:write`) plus the transition’s own `permission`.';

export async function workflowRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/workflows', {
    config: { permission: 'settings:manage' },
    schema: { tags, summary: 'Workflow kinds with the version in force', description: 'Version 0 is the built-in default. Needs `settings:manage`.', response: { 200: WorkflowList, ...problems(401, 403) } },
  }, async (request) => listWorkflows(request.ctx));

  r.get('/workflows/:kind', {
    config: { permission: 'settings:manage' },
    schema: { tags, summary: 'The workflow definition in force', params: KindParams, response: { 200: WorkflowVersion, ...problems(400, 401, 403) } },
  }, async (request) => getWorkflow(request.ctx, request.params.kind));

  // Authoring custom workflows is a plan feature; reading them and going back to the default are not.
  r.put('/workflows/:kind', {
    config: { permission: 'settings:manage', feature: 'workflows' },
    schema: {
      tags,
      summary: 'Save a workflow definition as the next version',
      description:
        'Checked before it is saved; each problem is named by its JSON path (400 `validation_failed`). In force at once for new entities; existing instances move to it at their next transition when their state still exists. See docs/workflows.md. Needs `settings:manage` and the plan feature `workflows` (403 `feature_not_in_plan`).',
      params: KindParams,
      // Checked by the domain with the same schema, not by the framework: no type coercion of `value`s, and each action
      // is reported against the schema of its own `type` rather than every alternative.
      body: Type.Unknown({ description: 'A workflow definition: the `definition` schema of GET /api/workflows/{kind}' }),
      response: { 200: WorkflowVersion, ...problems(400, 401, 403, 409) },
    },
  }, async (request) => saveWorkflow(request.ctx, request.params.kind, request.body));

  r.delete('/workflows/:kind', {
    config: { permission: 'settings:manage' },
    schema: {
      tags,
      summary: 'Go back to the built-in default',
      description: 'Saves the default as a new version (nothing is saved when the default is already in force). Needs `settings:manage`.',
      params: KindParams,
      response: { 200: WorkflowVersion, ...problems(400, 401, 403, 409) },
    },
  }, async (request) => resetWorkflow(request.ctx, request.params.kind));

  r.get('/workflows/:kind/versions', {
    config: { permission: 'settings:manage' },
    schema: { tags, summary: 'Every version of a workflow, newest first', params: KindParams, response: { 200: WorkflowVersionList, ...problems(400, 401, 403) } },
  }, async (request) => listWorkflowVersions(request.ctx, request.params.kind));

  r.post('/workflows/:kind/validate', {
    config: { permission: 'settings:manage', feature: 'workflows' },
    schema: {
      tags,
      summary: 'Check a workflow definition without saving it',
      description: 'The body is a definition as for PUT; any JSON is accepted and every problem is listed (200 with `valid: false`). Needs `settings:manage` and the plan feature `workflows`.',
      params: KindParams,
      body: Type.Unknown({ description: 'A workflow definition (see PUT)' }),
      response: { 200: ValidationReport, ...problems(400, 401, 403) },
    },
  }, async (request) => checkWorkflow(request.ctx, request.params.kind, request.body));

  r.get('/workflows/:kind/instances/:entityId', {
    schema: {
      tags,
      summary: 'Where an entity stands in its workflow',
      description: `The current state, data and the transitions leaving it, each marked available or not for the signed-in user (permission and guard evaluated). ${KIND_PERMISSIONS}`,
      params: InstanceParams,
      response: { 200: InstanceView, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => getInstance(request.ctx, request.params.kind, request.params.entityId));

  r.get('/workflows/:kind/instances/:entityId/history', {
    schema: {
      tags,
      summary: 'The transitions an entity took',
      description: `Oldest first: actor, time, from, to, transition, version, note, cause and action outcomes. ${KIND_PERMISSIONS}`,
      params: InstanceParams,
      response: { 200: HistoryList, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => getHistory(request.ctx, request.params.kind, request.params.entityId));

  r.post('/workflows/:kind/instances/:entityId/transitions', {
    schema: {
      tags,
      summary: 'Take a transition',
      description:
        `A transition to a state of another system status performs the real operation (check-in, cancellation with its rules — \`note\` is the reason —, issue, void — \`note\` required); one that keeps the status only moves the workflow. ` +
        `Not available from the current state: 409 \`invalid_transition\`; guard false: 409 \`transition_guard_failed\`; missing permission: 403 \`permission_denied\`. ${KIND_PERMISSIONS}`,
      params: InstanceParams,
      body: TransitionInput,
      response: { 200: InstanceView, ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request) => takeTransition(request.ctx, request.params.kind, request.params.entityId, request.body));
}
