// Placeholder: replaced by the patient-pages work.
export function BookingPage() {
  return <h1>BookingPage</h1>;
}
