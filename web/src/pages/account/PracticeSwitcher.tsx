// Placeholder: replaced by the account area (switch between the practices a person belongs to).
export function PracticeSwitcher() {
  return null;
}
