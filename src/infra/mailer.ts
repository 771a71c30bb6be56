/**
 * Outgoing mail. With SMTP_URL set, messages go through nodemailer's SMTP transport; without it
 * (development), nothing leaves the machine and the outbox keeps every message for viewing.
 */
import nodemailer from 'nodemailer';

export interface MailAttachment {
  readonly filename: string;
  readonly contentType: string;
  /** The text itself, or with `encoding: 'base64'` the base64 of binary bytes (a PDF). */
  readonly content: string;
  readonly encoding?: 'base64';
}

export interface MailMessage {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** Optional HTML alternative of `text` (multipart/alternative). */
  readonly html?: string | null;
  readonly attachments: readonly MailAttachment[];
}

export interface Mailer {
  /** 'smtp' delivers; 'keep' only records (development). */
  readonly mode: 'smtp' | 'keep';
  send(message: MailMessage): Promise<void>;
}

/** Builds the mailer from SMTP_URL (e.g. smtp://user:pass@mail.example.com:587). */
export function createMailer(smtpUrl: string | undefined): Mailer {
  if (!smtpUrl) return { mode: 'keep', send: async () => undefined };
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    mode: 'smtp',
    async send(message) {
      await transport.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html ? { html: message.html } : {}),
        attachments: message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content, ...(a.encoding ? { encoding: a.encoding } : {}) })),
      });
    },
  };
}
