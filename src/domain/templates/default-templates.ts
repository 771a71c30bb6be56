/**
 * The templates every practice starts with. They are ordinary Liquid, written against the same
 * variables a practice may use, so a practice can copy one and edit it.
 */
import type { MessageKind } from './message-kinds.ts';

export interface TemplateSet {
  readonly subject: string;
  readonly bodyHtml: string;
  readonly bodyText: string;
}

/** The branded frame around every default HTML body: header with logo or name, footer with contact details. */
function frame(content: string): string {
  return `<!doctype html>
<html>
<body style="margin:0;padding:0;background:#f5f5f4;font-family:Arial,Helvetica,sans-serif;color:#1c1917">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:6px">
<tr><td style="padding:20px 24px;border-bottom:4px solid {{ practice.primaryColor }}">
{% if practice.logoUrl %}<img src="{{ practice.logoUrl }}" alt="{{ practice.name }}" height="40" style="display:block;border:0">{% else %}<strong style="font-size:18px">{{ practice.name }}</strong>{% endif %}
</td></tr>
<tr><td style="padding:24px;font-size:15px;line-height:1.5">
${content.trim()}
</td></tr>
<tr><td style="padding:16px 24px;font-size:12px;color:#78716c;border-top:1px solid #e7e5e4">
{{ practice.name }}{% if practice.address %} · {{ practice.address }}{% endif %}{% if practice.phone %} · {{ practice.phone }}{% endif %}{% if practice.email %} · {{ practice.email }}{% endif %}
</td></tr>
</table>
</td></tr></table>
</body>
</html>
`;
}

const button = (href: string, label: string) =>
  `<p style="margin:24px 0"><a href="{{ ${href} }}" style="background:{{ practice.primaryColor }};color:#ffffff;padding:12px 20px;border-radius:4px;text-decoration:none;display:inline-block">${label}</a></p>`;

const WHEN_HTML = `<table role="presentation" cellpadding="0" cellspacing="0" style="margin:16px 0;border-left:3px solid {{ practice.primaryColor }}">
<tr><td style="padding:4px 12px">
<strong>{{ appointment.type }}</strong> with {{ appointment.provider }}<br>
{{ appointment.date }} at {{ appointment.time }} ({{ appointment.timeZone }})<br>
{{ appointment.location }}{% if appointment.address %}, {{ appointment.address }}{% endif %}
</td></tr></table>`;

const WHERE_TEXT = '{{ appointment.location }}{% if appointment.address %}, {{ appointment.address }}{% endif %}';

const CONTACT_TEXT = '{{ practice.name }}{% if practice.phone %} ({{ practice.phone }}){% endif %}';

export const DEFAULT_TEMPLATES: Readonly<Record<MessageKind, TemplateSet>> = {
  appointment_confirmation: {
    subject: 'Booked: {{ appointment.type }} on {{ appointment.shortDate }} at {{ appointment.time }}',
    bodyHtml: frame(`
<p>Dear {{ patient.firstName }},</p>
<p>Your appointment is booked:</p>
${WHEN_HTML}
{% if appointment.manageUrl %}<p><a href="{{ appointment.manageUrl }}">See or cancel your appointment online</a>. To reschedule, please contact us.</p>{% else %}<p>To cancel or reschedule, please contact us.</p>{% endif %}`),
    bodyText: `Dear {{ patient.firstName }},

Your {{ appointment.type }} with {{ appointment.provider }} is booked for {{ appointment.date }} at {{ appointment.time }} ({{ appointment.timeZone }}) at ${WHERE_TEXT}.
{% if appointment.manageUrl %}
See or cancel your appointment online: {{ appointment.manageUrl }}
To reschedule, please contact ${CONTACT_TEXT}.
{% else %}
To cancel or reschedule, please contact ${CONTACT_TEXT}.
{% endif %}`,
  },
  appointment_reminder: {
    subject: 'Reminder: {{ appointment.type }} on {{ appointment.shortDate }} at {{ appointment.time }}',
    bodyHtml: frame(`
<p>Dear {{ patient.firstName }},</p>
<p>This is a reminder of your appointment:</p>
${WHEN_HTML}
<p>The attached calendar file adds it to your calendar. To cancel or reschedule, please contact us.</p>`),
    bodyText: `Dear {{ patient.firstName }},

This is a reminder of your {{ appointment.type }} with {{ appointment.provider }} on {{ appointment.date }} at {{ appointment.time }} ({{ appointment.timeZone }}) at ${WHERE_TEXT}.

To cancel or reschedule, please contact ${CONTACT_TEXT}.
`,
  },
  appointment_cancellation: {
    subject: 'Cancelled: {{ appointment.type }} on {{ appointment.shortDate }} at {{ appointment.time }}',
    bodyHtml: frame(`
<p>Dear {{ patient.firstName }},</p>
<p>This appointment has been cancelled:</p>
${WHEN_HTML}
<p>To book another time, please contact us.</p>`),
    bodyText: `Dear {{ patient.firstName }},

Your {{ appointment.type }} with {{ appointment.provider }} on {{ appointment.date }} at {{ appointment.time }} ({{ appointment.timeZone }}) has been cancelled.

To book another time, please contact ${CONTACT_TEXT}.
`,
  },
  waitlist_offer: {
    subject: '{{ practice.name }}: a {{ appointment.type }} slot opened on {{ appointment.shortDate }} at {{ appointment.time }}',
    bodyHtml: frame(`
<p>Dear {{ patient.firstName }},</p>
<p>An appointment you were waiting for has become available:</p>
${WHEN_HTML}
<p>It is yours if you book it before {{ offer.expiresAt }}.</p>
${button('offer.url', 'Book this appointment')}
<p style="font-size:13px;color:#57534e">If you do nothing, the slot is offered to the next person and you stay on the waitlist for other openings.</p>`),
    bodyText: `Dear {{ patient.firstName }},

A {{ appointment.type }} appointment on {{ appointment.date }} at {{ appointment.time }} ({{ appointment.timeZone }}) has become available.
To book it, open this link before {{ offer.expiresAt }}:

{{ offer.url }}

If you do nothing, the slot is offered to the next person and you stay on the waitlist for other openings.
`,
  },
  invoice: {
    subject: 'Invoice {{ invoice.number }} from {{ practice.name }}',
    bodyHtml: frame(`
<p>Dear {{ patient.firstName }},</p>
<p>Your invoice <strong>{{ invoice.number }}</strong> for <strong>{{ invoice.total }}</strong> is ready. Amount due: <strong>{{ invoice.balanceDue }}</strong>.</p>
{% if invoice.url %}${button('invoice.url', 'View invoice')}{% endif %}
<p>Questions about this invoice? Please contact us.</p>`),
    bodyText: `Dear {{ patient.firstName }},

Your invoice {{ invoice.number }} for {{ invoice.total }} is ready. Amount due: {{ invoice.balanceDue }}.
{% if invoice.url %}
View it here:

{{ invoice.url }}
{% endif %}
Questions about this invoice? Please contact ${CONTACT_TEXT}.
`,
  },
  password_reset: {
    subject: 'Reset your {{ practice.name }} password',
    bodyHtml: frame(`
<p>Hello {{ user.name }},</p>
<p>Someone (hopefully you) asked to reset the password of <strong>{{ user.email }}</strong>.</p>
${button('link.url', 'Choose a new password')}
<p>The link works once and expires in {{ link.expiresInMinutes }} minutes ({{ link.expiresAt }}).</p>
<p style="font-size:13px;color:#57534e">If you did not ask for this, ignore this email: your password stays as it is.</p>`),
    bodyText: `Hello {{ user.name }},

Someone (hopefully you) asked to reset the password of {{ user.email }}. To choose a new password, open this link:

{{ link.url }}

The link works once and expires in {{ link.expiresInMinutes }} minutes ({{ link.expiresAt }}).

If you did not ask for this, ignore this email: your password stays as it is.
`,
  },
  intake_link: {
    subject: '{{ practice.name }}: please fill in "{{ form.title }}"',
    bodyHtml: frame(`
<p>Dear {{ patient.firstName }},</p>
<p>Before your visit, please fill in <strong>{{ form.title }}</strong>.</p>
${button('link.url', 'Open the form')}
<p style="font-size:13px;color:#57534e">The link works until {{ link.expiresAt }}.</p>`),
    bodyText: `Dear {{ patient.firstName }},

Before your visit, please fill in "{{ form.title }}":

{{ link.url }}

The link works until {{ link.expiresAt }}.
`,
  },
};
