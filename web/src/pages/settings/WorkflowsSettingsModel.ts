/** The workflow editor's model: definitions as the API has them, and the draft with JSON fields kept as text while typed. */

export type WorkflowKind = 'appointment' | 'invoice' | 'patient_intake';

export const KINDS: readonly { key: WorkflowKind; label: string; statuses: readonly string[] }[] = [
  { key: 'appointment', label: 'Appointments', statuses: ['booked', 'checked_in', 'completed', 'no_show', 'cancelled'] },
  { key: 'invoice', label: 'Invoices', statuses: ['draft', 'issued', 'partially_paid', 'paid', 'void'] },
  { key: 'patient_intake', label: 'Patient intake', statuses: [] },
];

export interface WfState { key: string; label: string; systemStatus?: string; final?: boolean }
export interface WfTransition {
  key: string;
  label: string;
  from: string[];
  to: string;
  permission?: string;
  guard?: Record<string, unknown>;
  actions?: Record<string, unknown>[];
  system?: boolean;
}
export interface WfDefinition { states: WfState[]; initial: string; transitions: WfTransition[] }
export interface WfVersion { kind: WorkflowKind; version: number; isDefault: boolean; createdBy: string | null; createdAt: string | null; definition: WfDefinition }

export interface DraftTransition extends Omit<WfTransition, 'guard' | 'actions'> {
  guardText: string;
  actionsText: string;
}
export interface Draft { states: WfState[]; initial: string; transitions: DraftTransition[] }

export function toDraft(def: WfDefinition): Draft {
  return {
    states: def.states.map((s) => ({ ...s })),
    initial: def.initial,
    transitions: def.transitions.map(({ guard, actions, ...t }) => ({
      ...t,
      from: [...t.from],
      guardText: guard ? JSON.stringify(guard) : '',
      actionsText: actions && actions.length > 0 ? JSON.stringify(actions, null, 1) : '',
    })),
  };
}

export interface JsonProblem { field: string; message: string }

/** The definition to send, or the guards/actions that are not JSON yet (named like the API names them). */
export function fromDraft(draft: Draft, kindHasStatus: boolean): { definition: WfDefinition } | { problems: JsonProblem[] } {
  const problems: JsonProblem[] = [];
  const transitions = draft.transitions.map(({ guardText, actionsText, ...t }, i) => {
    const out: WfTransition = { key: t.key, label: t.label, from: t.from, to: t.to };
    if (t.permission?.trim()) out.permission = t.permission.trim();
    if (t.system) out.system = true;
    if (guardText.trim()) {
      try {
        out.guard = JSON.parse(guardText) as Record<string, unknown>;
      } catch {
        problems.push({ field: `transitions.${i}.guard`, message: 'is not valid JSON' });
      }
    }
    if (actionsText.trim()) {
      try {
        const parsed: unknown = JSON.parse(actionsText);
        out.actions = (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[];
      } catch {
        problems.push({ field: `transitions.${i}.actions`, message: 'is not valid JSON (a list of actions)' });
      }
    }
    return out;
  });
  if (problems.length > 0) return { problems };
  const states = draft.states.map((s) => ({
    key: s.key,
    label: s.label,
    ...(kindHasStatus && s.systemStatus ? { systemStatus: s.systemStatus } : {}),
    ...(s.final ? { final: true } : {}),
  }));
  return { definition: { states, initial: draft.initial, transitions } };
}
