/**
 * Patients as billing shows them: names looked up once per id (invoices carry only the id), and a
 * search-and-pick field for choosing a patient (the invoice filter and a new invoice).
 */
import { useEffect, useState } from 'react';
import { useSession } from '../../session.tsx';
import { useDebounced, useLoad } from '../../ui/hooks.ts';
import { formatDate } from '../../ui/format.ts';
import { SelectField, TextField } from '../../ui/kit.tsx';
import { patientName, type PatientSummary } from './types.ts';

/** Names of the given patient ids, fetched at most once each per page. */
export function usePatientNames(ids: readonly string[]): Map<string, PatientSummary> {
  const { api } = useSession();
  const [names, setNames] = useState(() => new Map<string, PatientSummary>());
  const key = [...new Set(ids)].sort().join(',');
  useEffect(() => {
    const missing = key ? key.split(',').filter((id) => !names.has(id)) : [];
    if (missing.length === 0) return;
    let live = true;
    void Promise.all(missing.map((id) => api.get<PatientSummary>(`/api/patients/${id}`).catch(() => null))).then((found) => {
      if (!live) return;
      setNames((prev) => {
        const next = new Map(prev);
        for (const p of found) if (p) next.set(p.id, p);
        return next;
      });
    });
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key]);
  return names;
}

/** A search box and the matching patients to pick from; `value` is the chosen patient id ('' for none). */
export function PatientPicker({ label, value, onChange, error, allowAny }: { label: string; value: string; onChange: (id: string) => void; error?: string | undefined; allowAny?: string }) {
  const { api } = useSession();
  const [text, setText] = useState('');
  const q = useDebounced(text.trim(), 300);
  const found = useLoad((signal) => api.get<{ items: PatientSummary[] }>('/api/patients', q ? { q, limit: 20 } : { limit: 20 }, signal), [api, q]);
  const chosen = useLoad((signal) => (value ? api.get<PatientSummary>(`/api/patients/${value}`, undefined, signal) : Promise.resolve(null)), [api, value]);
  const options = [...(found.data?.items ?? [])];
  if (chosen.data && !options.some((p) => p.id === chosen.data!.id)) options.unshift(chosen.data);
  return (
    <div className="billing-patient-picker">
      <TextField label={`Find ${label.toLowerCase()}`} type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="Name or MRN" autoComplete="off" />
      <SelectField label={label} value={value} onChange={(e) => onChange(e.target.value)} error={error}>
        <option value="">{allowAny ?? (found.loading ? 'Searching…' : 'Choose a patient')}</option>
        {options.map((p) => (
          <option key={p.id} value={p.id}>
            {patientName(p)} · {p.mrn} · born {formatDate(p.dateOfBirth)}
          </option>
        ))}
      </SelectField>
    </div>
  );
}
