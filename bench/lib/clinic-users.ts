/**
 * Load worker: simulated clinic staff, each a loop of think time (exponential) and one clinic
 * action — search patients, search slots, book, issue an invoice (draft + issue), record a payment —
 * over keep-alive HTTP to 127.0.0.1. Posts one `UsersReport` and ends when the time is up.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import type { BenchClinic } from './clinics.ts';
import { OPERATIONS, type Operation, type OperationReport, type UsersInput, type UsersReport } from './clinic-ops.ts';

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown> | null;
}

const input = workerData as UsersInput;
const agent = new http.Agent({ keepAlive: true, maxSockets: input.maxSockets });
const start = Date.now();
const warmUntil = start + input.warmSeconds * 1000;
const end = start + input.seconds * 1000;
const report = Object.fromEntries(OPERATIONS.map((op) => [op, { latencies: [], races: 0, refused: 0, errors: {} }])) as unknown as Record<Operation, OperationReport>;

function send(clinic: BenchClinic, method: string, path: string, body?: unknown): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: input.port,
        method,
        path,
        agent,
        headers: {
          authorization: `Bearer ${clinic.token}`,
          'x-tenant': clinic.slug,
          ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let parsed: Record<string, unknown> | null = null;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          } catch {
            parsed = null;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', () => resolve({ status: 0, body: null }));
      },
    );
    req.on('error', () => resolve({ status: 0, body: null }));
    req.end(payload);
  });
}

/** Sends one request of `op` and records it (when past the warm-up). */
async function timed(op: Operation, clinic: BenchClinic, method: string, path: string, body?: unknown): Promise<Answer> {
  const t0 = performance.now();
  const startedAt = Date.now();
  const answer = await send(clinic, method, path, body);
  if (startedAt < warmUntil || Date.now() > end + 30_000) return answer;
  const r = report[op];
  const code = typeof answer.body?.code === 'string' ? answer.body.code : '';
  if (answer.status >= 200 && answer.status < 300) r.latencies.push(performance.now() - t0);
  else if (answer.status === 409 && code === 'slot_taken') r.races++;
  else if (answer.status === 429) r.refused++;
  else {
    const key = answer.status === 0 ? 'network' : `${answer.status} ${code}`;
    r.errors[key] = (r.errors[key] ?? 0) + 1;
  }
  return answer;
}

const exponential = (mean: number) => -Math.log(1 - Math.random()) * mean;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, Math.min(ms, end - Date.now()))));
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

function isoDate(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

async function user(u: number): Promise<void> {
  const clinic = input.clinics[u % input.clinics.length]!;
  let slots: { start: string; providerId: string }[] = [];
  let unpaid: { id: string; total: number } | null = null;
  let draft: string | null = null;

  async function searchSlots(): Promise<void> {
    const from = isoDate(2 + Math.floor(Math.random() * 20));
    const q = new URLSearchParams({ typeId: clinic.typeId, locationId: clinic.locationId, from, to: from });
    const a = await timed('slots', clinic, 'GET', `/api/scheduling/slots?${q}`);
    if (a.status === 200) slots = ((a.body?.items ?? []) as { start: string; providerId: string }[]).slice();
  }

  await sleep(exponential(input.thinkMs));
  while (Date.now() < end) {
    const r = Math.random();
    if (r < 0.35) {
      await timed('search', clinic, 'GET', `/api/patients?q=${encodeURIComponent(pick(clinic.searchTerms))}&limit=20`);
    } else if (r < 0.6 || (r < 0.75 && slots.length === 0)) {
      await searchSlots();
    } else if (r < 0.75) {
      const slot = slots.splice(Math.floor(Math.random() * slots.length), 1)[0]!;
      await timed('book', clinic, 'POST', '/api/appointments', {
        patientId: pick(clinic.patientIds),
        typeId: clinic.typeId,
        providerId: slot.providerId,
        locationId: clinic.locationId,
        start: slot.start,
      });
    } else if (r < 0.9 || unpaid === null) {
      if (draft === null) {
        const a = await timed('invoice', clinic, 'POST', '/api/invoices', { patientId: pick(clinic.patientIds), lines: [{ priceItemId: clinic.priceItemId, quantity: '1' }] });
        if (a.status === 201) draft = String(a.body?.id);
      } else {
        const a = await timed('issue', clinic, 'POST', `/api/invoices/${draft}/issue`, {});
        draft = null;
        if (a.status === 200) unpaid = { id: String(a.body?.id), total: Number(a.body?.total ?? 0) };
      }
    } else {
      const a = await timed('payment', clinic, 'POST', `/api/invoices/${unpaid.id}/payments`, { method: 'card', amount: Math.max(1, unpaid.total) });
      if (a.status !== 0) unpaid = null;
    }
    await sleep(exponential(input.thinkMs));
  }
}

await Promise.all(Array.from({ length: input.users }, (_, u) => user(u)));
agent.destroy();
parentPort!.postMessage({ measuredSeconds: input.seconds - input.warmSeconds, operations: report } satisfies UsersReport);
