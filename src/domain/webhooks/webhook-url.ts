/**
 * Checks an endpoint URL when it is saved: http(s), no credentials, and a host whose every address
 * is public (unless the deployment allows private addresses for development). Delivery checks the
 * address again when it connects, since DNS answers can change after the URL was saved.
 */
import { validationError } from '../../errors/catalogue.ts';
import { checkHost } from '../../infra/outbound-address.ts';

const refuse = (message: string) => validationError([{ field: 'url', message }]);

/** The normalised URL, or a 400 naming `url`. */
export async function checkEndpointUrl(value: string, allowPrivate: boolean): Promise<string> {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw refuse('must be an absolute http or https URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('must use http or https');
  if (url.username || url.password) throw refuse('must not carry credentials (user:password@); authenticate deliveries by their signature');
  if (!url.hostname) throw refuse('must name a host');
  const host = await checkHost(url.hostname, { allowPrivate });
  if (!host.ok) {
    throw refuse(
      host.reason === 'unresolvable'
        ? `the host ${url.hostname} does not resolve`
        : `the host ${url.hostname} resolves to ${host.address}, a loopback, private or link-local address; webhooks go to public addresses only`,
    );
  }
  return url.href;
}
