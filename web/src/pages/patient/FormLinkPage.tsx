/**
 * A patient fills in a form from a single-use link (/p/{practice}/forms/{token}), without a login:
 * the form as the practice built it (the version the link is pinned to), the API's answer errors
 * next to their questions, and plain words for a link that is used up, expired or not valid.
 */
import { useEffect, useRef, useState } from 'react';
import { useParams } from 'react-router';
import { ApiError, publicApi } from '../../api.ts';
import { Button, ErrorBanner, Loading } from '../../ui/kit.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { formatDateTime } from '../../ui/format.ts';
import { FormRenderer, answerErrors } from '../../forms/FormRenderer.tsx';
import { evaluateForm } from '../../forms/visibility.ts';
import type { Answers, FormDefinition } from '../../forms/types.ts';

interface PublicForm {
  readonly practice: string;
  readonly patientFirstName: string;
  readonly form: FormDefinition;
  readonly version: number;
  readonly expiresAt: string;
}

function LinkProblem({ error }: { error: unknown }) {
  const code = error instanceof ApiError ? error.code : null;
  const [title, text] =
    code === 'form_link_used'
      ? ['This form has already been sent', 'Thank you — we already have your answers. If you need to change something, please ask the practice for a new link.']
      : code === 'form_link_expired'
        ? ['This link has expired', 'For your privacy, form links only work for a limited time. Please ask the practice to send you a new one.']
        : code === 'form_archived'
          ? ['This form is no longer in use', 'The practice no longer uses this form. Please contact them if you still need to send information.']
          : code === 'not_found'
            ? ['This link is not valid', 'Please check that you opened the whole link from your email, or ask the practice for a new one.']
            : code === 'feature_not_in_plan'
              ? ['Online forms are not available', 'The practice does not take forms online at the moment. Please contact them directly.']
              : [null, null];
  if (!title) return <ErrorBanner error={error} title="We could not open this form" />;
  return (
    <div className="card public-message" role="status">
      <h1>{title}</h1>
      <p>{text}</p>
    </div>
  );
}

export function FormLinkPage() {
  const { slug = '', token = '' } = useParams();
  const path = `/public/forms/${encodeURIComponent(slug)}/${encodeURIComponent(token)}`;
  const { data, error, loading } = useLoad((signal) => publicApi.get<PublicForm>(path, undefined, signal), [path]);
  const [answers, setAnswers] = useState<Answers>({});
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ submittedAt: string } | null>(null);
  const topRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (data) document.title = `${data.form.title} · ${data.practice}`;
  }, [data]);

  if (loading && !data) return <Loading label="Opening your form…" />;
  if (error) return <LinkProblem error={error} />;
  if (!data) return null;

  if (done) {
    return (
      <div className="card public-message" role="status">
        <h1>Thank you, {data.patientFirstName}</h1>
        <p>Your answers to “{data.form.title}” have been sent to {data.practice}. You can close this page.</p>
        <p className="muted small">Received {formatDateTime(done.submittedAt)}</p>
      </div>
    );
  }

  const submit = async () => {
    setBusy(true);
    setSubmitError(null);
    try {
      const { answers: toSend } = evaluateForm(data.form, answers);
      const res = await publicApi.post<{ id: string; submittedAt: string }>(path, { answers: toSend });
      setDone(res);
      window.scrollTo(0, 0);
    } catch (err) {
      setSubmitError(err);
      // The summary is announced; move focus to it so keyboard users start from the list of problems.
      requestAnimationFrame(() => topRef.current?.focus());
    } finally {
      setBusy(false);
    }
  };

  const apiErr = submitError instanceof ApiError ? submitError : null;
  const fieldErrors = apiErr?.code === 'validation_failed' ? answerErrors(apiErr.errors) : {};
  if (apiErr && (apiErr.code === 'form_link_used' || apiErr.code === 'form_link_expired' || apiErr.code === 'form_archived')) return <LinkProblem error={apiErr} />;

  return (
    <form
      className="patient-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h1>{data.form.title}</h1>
      <p>Hello {data.patientFirstName}, {data.practice} asks you to fill in this form.</p>
      {data.form.description ? <p className="muted">{data.form.description}</p> : null}
      <p className="muted small">
        Questions marked <span aria-hidden="true" className="required-mark">*</span> are required. This link works once, until {formatDateTime(data.expiresAt)}.
      </p>
      <div ref={topRef} tabIndex={-1}>
        {submitError ? (
          apiErr?.code === 'validation_failed' ? (
            <div className="banner banner-error" role="alert">
              <strong>Please check your answers</strong>
              <p>{Object.keys(fieldErrors).length === 1 ? 'One answer needs' : `${Object.keys(fieldErrors).length} answers need`} your attention; see the messages below.</p>
            </div>
          ) : (
            <ErrorBanner error={submitError} title="Your answers were not sent" />
          )
        ) : null}
      </div>
      <FormRenderer definition={data.form} answers={answers} onChange={setAnswers} errors={fieldErrors} />
      <Button type="submit" busy={busy}>Send my answers</Button>
    </form>
  );
}
