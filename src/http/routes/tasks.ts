/** /api/tasks: work items that workflow transitions create for a role. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { completeTask, listTasks } from '../../domain/workflows/task-service.ts';
import { TaskList, TaskQuery, TaskView } from '../../domain/workflows/workflow-schemas.ts';
import { IdParams, problems } from '../schemas.ts';

const tags = ['Workflows'];

export async function taskRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/tasks', {
    schema: {
      tags,
      summary: 'Tasks of your roles',
      description: 'Tasks addressed to a role you hold (with `settings:manage`: every role), oldest first; `status` defaults to `open`.',
      querystring: TaskQuery,
      response: { 200: TaskList, ...problems(400, 401) },
    },
  }, async (request) => listTasks(request.ctx, request.query));

  r.post('/tasks/:id/complete', {
    schema: {
      tags,
      summary: 'Complete a task',
      description: 'A task of a role you do not hold answers 404. Completing a done task again changes nothing.',
      params: IdParams,
      response: { 200: TaskView, ...problems(401, 404) },
    },
  }, async (request) => completeTask(request.ctx, request.params.id));
}
