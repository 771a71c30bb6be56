// Placeholder: replaced by the patient-pages work.
export function WaitlistOfferPage() {
  return <h1>WaitlistOfferPage</h1>;
}
