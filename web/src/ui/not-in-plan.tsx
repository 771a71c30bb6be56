/** What a page shows when the practice's plan does not include its feature (403 `feature_not_in_plan`). */
import type { ReactNode } from 'react';

export function NotInPlan({ feature, children }: { feature: string; children?: ReactNode }) {
  return (
    <div className="banner banner-info" role="status">
      <strong>{feature} are not in your plan</strong>
      <p>{children ?? 'Your practice’s plan does not include this. The practice owner can change the plan with HealthTrack support.'}</p>
    </div>
  );
}
