/** Intake forms as FHIR R4 Questionnaires: export, import, and the round trip between them. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { assertFields, createForm, staffCall } from './support/forms-kit.ts';

let t: TestApp;
let tenant: TestTenant;
before(async () => {
  t = await startTestApp();
  tenant = await t.createTenant('pooled');
});
after(async () => {
  await t.close();
});

const call = (method: 'GET' | 'POST', url: string, payload?: unknown, headers?: Record<string, string>) => staffCall(t, tenant, method, url, payload, headers);

/** Every field type, with rules, conditions (simple and not), help, mapping and consent. */
const EVERYTHING = {
  key: 'everything',
  title: 'Everything',
  description: 'All field types.',
  sections: [
    {
      id: 'about',
      title: 'About you',
      description: 'Tell us about yourself.',
      fields: [
        { id: 'nickname', type: 'text', label: 'Nickname', help: 'What we call you', validation: { minLength: 2, maxLength: 30, pattern: '[A-Za-z ]+' }, mapsTo: 'preferredName' },
        { id: 'history', type: 'long_text', label: 'Medical history', validation: { maxLength: 4000 } },
        { id: 'children', type: 'number', label: 'Children', required: true, validation: { integer: true, min: 0, max: 20 } },
        { id: 'weight', type: 'number', label: 'Weight (kg)', validation: { min: 1.5, max: 400 } },
        { id: 'born', type: 'date', label: 'Date of birth', validation: { min: '1900-01-01', max: 'today' } },
        { id: 'sex', type: 'single_choice', label: 'Sex', options: [{ value: 'female', label: 'Female' }, { value: 'male', label: 'Male' }], mapsTo: 'sex' },
      ],
    },
    {
      id: 'habits',
      title: 'Habits',
      fields: [
        { id: 'smoker', type: 'yes_no', label: 'Do you smoke?', required: true },
        { id: 'packs', type: 'number', label: 'Packs per day', required: true, visibleIf: { '==': [{ var: 'smoker' }, true] } },
        { id: 'sports', type: 'multiple_choice', label: 'Sports', options: [{ value: 'run', label: 'Running' }, { value: 'swim', label: 'Swimming' }], validation: { minSelected: 1, maxSelected: 2 } },
        { id: 'swimFreq', type: 'text', label: 'How often do you swim?', visibleIf: { in: ['swim', { var: 'sports' }] } },
        { id: 'heavy', type: 'yes_no', label: 'More than 20 a day?', visibleIf: { and: [{ '==': [{ var: 'smoker' }, true] }, { '>=': [{ var: 'packs' }, 1] }] } },
        { id: 'odd', type: 'text', label: 'Odd rule', visibleIf: { '==': [{ '+': [{ var: 'packs' }, 1] }, 3] } },
      ],
    },
    {
      id: 'signing',
      title: 'Consent',
      fields: [{ id: 'privacy', type: 'consent', label: 'Privacy notice', required: true, consent: { text: 'I agree that my data is stored.' } }],
    },
  ],
};

type Item = { linkId: string; type: string; required?: boolean; repeats?: boolean; item?: Item[]; enableWhen?: unknown[]; enableBehavior?: string; answerOption?: unknown[]; text?: string };

test('export: groups, FHIR item types, answerOption, required, enableWhen, consent display', async () => {
  const form = await createForm(t, tenant, EVERYTHING);
  const res = await call('GET', `/api/forms/${form.id}/versions/1/fhir`);
  assert.equal(res.statusCode, 200, res.body);
  assert.match(String(res.headers['content-type']), /^application\/fhir\+json/);
  const q = res.json();
  assert.equal(q.resourceType, 'Questionnaire');
  assert.equal(q.title, 'Everything');
  assert.equal(q.status, 'active');
  assert.equal(q.version, '1');
  const groups = q.item as Item[];
  assert.deepEqual(groups.map((g) => [g.linkId, g.type]), [['about', 'group'], ['habits', 'group'], ['signing', 'group']]);
  const byId = new Map(groups.flatMap((g) => g.item ?? []).map((i) => [i.linkId, i]));
  const types = Object.fromEntries([...byId].map(([id, i]) => [id, i.type]));
  assert.deepEqual(types, {
    'about.description': 'display',
    nickname: 'string',
    history: 'text',
    children: 'integer',
    weight: 'decimal',
    born: 'date',
    sex: 'choice',
    smoker: 'boolean',
    packs: 'decimal',
    sports: 'choice',
    swimFreq: 'string',
    heavy: 'boolean',
    odd: 'string',
    privacy: 'boolean',
  });
  assert.equal(byId.get('children')!.required, true);
  assert.equal(byId.get('nickname')!.required, undefined);
  assert.equal(byId.get('sports')!.repeats, true);
  assert.deepEqual(byId.get('sex')!.answerOption, [{ valueCoding: { code: 'female', display: 'Female' } }, { valueCoding: { code: 'male', display: 'Male' } }]);
  assert.deepEqual(byId.get('packs')!.enableWhen, [{ question: 'smoker', operator: '=', answerBoolean: true }]);
  assert.deepEqual(byId.get('swimFreq')!.enableWhen, [{ question: 'sports', operator: '=', answerCoding: { code: 'swim', display: 'Swimming' } }]);
  assert.equal(byId.get('heavy')!.enableBehavior, 'all');
  assert.equal(byId.get('heavy')!.enableWhen!.length, 2);
  assert.equal(byId.get('odd')!.enableWhen, undefined, 'not expressible as enableWhen (kept in an extension)');
  const consentText = byId.get('privacy')!.item!.find((i) => i.type === 'display')!;
  assert.equal(consentText.text, 'I agree that my data is stored.');
  const help = byId.get('nickname')!.item!.find((i) => i.type === 'display')!;
  assert.equal(help.text, 'What we call you');
});

test('export → import keeps items, types, required, options, rules and conditions', async () => {
  const original = await call('GET', '/api/forms?status=all');
  const form = original.json().items.find((f: { key: string }) => f.key === 'everything') ?? (await createForm(t, tenant, EVERYTHING));
  const q = (await call('GET', `/api/forms/${form.id}/versions/1/fhir`)).json();
  const imported = await call('POST', '/api/forms/import/fhir', q, { 'content-type': 'application/fhir+json' });
  assert.equal(imported.statusCode, 201, imported.body);
  assert.equal(imported.json().key, 'everything-2', 'the exported key, made unique');
  const { key: _key, ...definition } = EVERYTHING;
  assert.deepEqual(imported.json().definition, definition);

  // And again, under a key of our choosing; a taken key is a conflict.
  const named = await call('POST', '/api/forms/import/fhir?key=everything-copy', q);
  assert.equal(named.json().key, 'everything-copy');
  const taken = await call('POST', '/api/forms/import/fhir?key=everything-copy', q);
  assert.equal(taken.statusCode, 409, taken.body);
});

test('import of a foreign Questionnaire: loose questions, linkIds, enableWhen, display text', async () => {
  const q = {
    resourceType: 'Questionnaire',
    name: 'PHQ2Screen',
    title: 'PHQ-2 screen',
    status: 'active',
    item: [
      { linkId: 'intro', type: 'display', text: 'Over the last two weeks…' },
      {
        linkId: '1.1',
        text: 'Little interest or pleasure in doing things?',
        type: 'choice',
        required: true,
        answerOption: [{ valueCoding: { code: '0', display: 'Not at all' } }, { valueCoding: { code: '3', display: 'Nearly every day' } }],
      },
      { linkId: '1.2', text: 'Details', type: 'text', enableWhen: [{ question: '1.1', operator: '=', answerCoding: { code: '3' } }] },
      { linkId: 'g', type: 'group', text: 'More', item: [{ linkId: 'age', type: 'integer', text: 'Age', enableWhen: [{ question: '1.1', operator: 'exists', answerBoolean: true }] }] },
    ],
  };
  const res = await call('POST', '/api/forms/import/fhir', q);
  assert.equal(res.statusCode, 201, res.body);
  const def = res.json().definition;
  assert.equal(res.json().key, 'phq2-screen');
  assert.equal(def.description, 'Over the last two weeks…');
  assert.deepEqual(def.sections.map((s: { id: string; title: string }) => [s.id, s.title]), [['section_1', 'PHQ-2 screen'], ['g', 'More']]);
  const [first, second] = def.sections as { fields: Record<string, unknown>[] }[];
  assert.deepEqual(first!.fields.map((f) => [f.id, f.type, f.required ?? false]), [['q_1_1', 'single_choice', true], ['q_1_2', 'long_text', false]]);
  assert.deepEqual(first!.fields[1]!.visibleIf, { '==': [{ var: 'q_1_1' }, '3'] });
  assert.deepEqual(second!.fields[0], { id: 'age', type: 'number', label: 'Age', validation: { integer: true }, visibleIf: { '!=': [{ var: 'q_1_1' }, null] } });
});

test('unsupported constructs answer 400 naming the FHIR path', async () => {
  const base = { resourceType: 'Questionnaire', title: 'Bad' };
  const res = await call('POST', '/api/forms/import/fhir', {
    ...base,
    item: [
      { linkId: 'a', type: 'attachment', text: 'Upload' },
      {
        linkId: 'g',
        type: 'group',
        text: 'G',
        item: [
          { linkId: 'c', type: 'choice', text: 'C', answerValueSet: 'http://example.org/vs' },
          { linkId: 'inner', type: 'group', item: [] },
          { linkId: 'd', type: 'string', text: 'D', enableWhen: [{ question: 'later', operator: '=', answerString: 'x' }] },
          { linkId: 'e', type: 'string', text: 'E', repeats: true },
        ],
      },
      { linkId: 'r', type: 'group', repeats: true, item: [{ linkId: 'f', type: 'string', text: 'F' }] },
    ],
  });
  assertFields(res, ['item[0].type', 'item[1].item[0].answerValueSet', 'item[1].item[1]', 'item[1].item[2].enableWhen[0].question', 'item[1].item[3].repeats', 'item[2].repeats']);
  assertFields(await call('POST', '/api/forms/import/fhir', { resourceType: 'Patient' }), ['resourceType']);
  assertFields(await call('POST', '/api/forms/import/fhir', { ...base, item: [] }), ['item']);
  // Problems found after conversion still point at the item they came from.
  const late = await call('POST', '/api/forms/import/fhir', {
    ...base,
    item: [{ linkId: 'x', type: 'choice', text: 'X', answerOption: [{ valueCoding: { code: 'a' } }, { valueCoding: { code: 'a' } }] }],
  });
  const m = assertFields(late, ['item[0]']);
  assert.match(m['item[0]']!, /^options\[1\]\.value: duplicates/);
});
