/** Settings › Intake forms: the practice's forms, and the visual builder for one (/settings/forms/:id, `new` for a new one). */
import { Link, Route, Routes } from 'react-router';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { Badge, EmptyState, ErrorBanner, Loading, PageHeader } from '../../ui/kit.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { NotInPlan } from '../../ui/not-in-plan.tsx';
import { FormBuilderPage } from './forms/FormBuilder.tsx';

interface FormSummary {
  readonly id: string;
  readonly key: string;
  readonly title: string;
  readonly status: 'active' | 'archived';
  readonly currentVersion: number;
  readonly updatedAt: string;
}

export function FormsSettings() {
  return (
    <Routes>
      <Route index element={<FormList />} />
      <Route path=":id" element={<FormBuilderPage />} />
    </Routes>
  );
}

function FormList() {
  const { api, can } = useSession();
  const list = useLoad((signal) => api.get<{ items: FormSummary[] }>('/api/forms', { status: 'all', limit: 200 }, signal), []);
  const notInPlan = list.error instanceof ApiError && list.error.code === 'feature_not_in_plan';
  return (
    <>
      <PageHeader title="Intake forms" subtitle="Forms patients fill in before a visit, from a link you send them.">
        {can('settings:manage') && !notInPlan ? <Link className="btn btn-primary" to="/settings/forms/new">New form</Link> : null}
      </PageHeader>
      {notInPlan ? (
        <NotInPlan feature="Intake forms" />
      ) : list.error ? (
        <ErrorBanner error={list.error} title="The forms could not be loaded" />
      ) : list.loading && !list.data ? (
        <Loading />
      ) : list.data && list.data.items.length === 0 ? (
        <EmptyState title="No forms yet" action={can('settings:manage') ? <Link className="btn btn-primary" to="/settings/forms/new">Build your first form</Link> : undefined}>
          Build an intake form with the visual builder, then send it to patients as a link.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr><th scope="col">Form</th><th scope="col">Key</th><th scope="col" className="num">Version</th><th scope="col">Updated</th><th scope="col">Status</th></tr>
            </thead>
            <tbody>
              {list.data?.items.map((f) => (
                <tr key={f.id}>
                  <td><Link to={`/settings/forms/${f.id}`}>{f.title}</Link></td>
                  <td><code>{f.key}</code></td>
                  <td className="num">{f.currentVersion}</td>
                  <td>{formatDateTime(f.updatedAt)}</td>
                  <td>{f.status === 'active' ? <Badge tone="good">Active</Badge> : <Badge>Archived</Badge>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
