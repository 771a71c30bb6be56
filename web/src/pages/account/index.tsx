// Placeholder: replaced by the account area (forgot / reset password).
export function AccountPages({ page }: { page: 'forgot' | 'reset' }) {
  return <main id="main"><h1>{page === 'forgot' ? 'Forgot password' : 'Reset password'}</h1></main>;
}
