/** /api/patients: thin HTTP over the patient use cases. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../errors/catalogue.ts';
import { Patient, PatientCreate, PatientPage, PatientSearch, PatientUpdate } from '../../domain/patients/patient-schemas.ts';
import { createPatient, getPatient, searchPatients, setPatientArchived, updatePatient } from '../../domain/patients/patient-service.ts';
import { IdParams, problems } from '../schemas.ts';

const IfMatch = Type.Object({ 'if-match': Type.Optional(Type.String({ description: 'ETag from a previous read: "<version>"' })) });

function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined || value === '*') return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(value.trim());
  if (!m) throw new AppError('validation_failed', 'If-Match must be an ETag such as "3"', { errors: [{ field: 'If-Match', message: 'is not an ETag' }] });
  return Number(m[1]);
}

const tags = ['Patients'];

export async function patientRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/patients', {
    config: { permission: 'patients:write' },
    schema: {
      tags,
      summary: 'Register a patient',
      description: 'Assigns the next medical record number of the practice. Needs `patients:write`.',
      body: PatientCreate,
      response: { 201: Patient, ...problems(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const patient = await createPatient(request.ctx, request.body);
    return reply.code(201).header('location', `/api/patients/${patient.id}`).header('etag', `"${patient.version}"`).send(patient);
  });

  r.get('/patients', {
    config: { permission: 'patients:read' },
    schema: {
      tags,
      summary: 'Search patients',
      description: 'Filters combine with AND. Ordered by last name, first name; cursor-paginated. Needs `patients:read`.',
      querystring: PatientSearch,
      response: { 200: PatientPage, ...problems(400, 401, 403) },
    },
  }, async (request) => searchPatients(request.ctx, request.query));

  r.get('/patients/:id', {
    config: { permission: 'patients:read' },
    schema: { tags, summary: 'Read a patient', params: IdParams, response: { 200: Patient, ...problems(401, 403, 404) } },
  }, async (request, reply) => {
    const patient = await getPatient(request.ctx, request.params.id);
    return reply.header('etag', `"${patient.version}"`).send(patient);
  });

  r.patch('/patients/:id', {
    config: { permission: 'patients:write' },
    schema: {
      tags,
      summary: 'Update a patient',
      description: 'Send `If-Match: "<version>"` to refuse the change when someone else edited the patient since you read it.',
      params: IdParams,
      headers: IfMatch,
      body: PatientUpdate,
      response: { 200: Patient, ...problems(400, 401, 403, 404, 409, 412) },
    },
  }, async (request, reply) => {
    const patient = await updatePatient(request.ctx, request.params.id, request.body, parseIfMatch(request.headers['if-match']));
    return reply.header('etag', `"${patient.version}"`).send(patient);
  });

  r.post('/patients/:id/archive', {
    config: { permission: 'patients:archive' },
    schema: { tags, summary: 'Archive a patient', description: 'Archived patients leave default searches and cannot be edited.', params: IdParams, response: { 200: Patient, ...problems(401, 403, 404) } },
  }, async (request) => setPatientArchived(request.ctx, request.params.id, true));

  r.post('/patients/:id/restore', {
    config: { permission: 'patients:archive' },
    schema: { tags, summary: 'Restore an archived patient', params: IdParams, response: { 200: Patient, ...problems(401, 403, 404) } },
  }, async (request) => setPatientArchived(request.ctx, request.params.id, false));
}
