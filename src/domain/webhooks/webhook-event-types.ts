/**
 * The events a practice can subscribe to, with what each means. A plain module with no imports,
 * shared by the server and the web app's webhook settings, so the two lists cannot drift.
 */
export const WEBHOOK_EVENTS = {
  'patient.created': 'A patient was registered',
  'appointment.booked': 'An appointment was booked (also each occurrence of a series, and waitlist bookings)',
  'appointment.cancelled': 'An appointment was cancelled',
  'invoice.issued': 'An invoice was issued (numbered and frozen)',
  'invoice.paid': 'A payment settled an invoice in full',
  'workflow.transition': 'A workflow transition with a `call_webhook` action was taken (sent only by such actions, never by emitEvent)',
} as const;

export type WebhookEventType = keyof typeof WEBHOOK_EVENTS;
