// Placeholder: replaced by the patient-pages work.
export function FormLinkPage() {
  return <h1>FormLinkPage</h1>;
}
