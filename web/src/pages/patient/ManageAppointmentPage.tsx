// Placeholder: replaced by the patient-pages work.
export function ManageAppointmentPage() {
  return <h1>ManageAppointmentPage</h1>;
}
