/** Settings › Prices and tax: the price list with dated prices, the billing settings, and tax jurisdictions. */
import { useState } from 'react';
import { PageHeader, Tabs, TabPanel } from '../../ui/kit.tsx';
import { PriceItemsPanel } from './PricesSettingsItems.tsx';
import { BillingSettingsPanel } from './PricesSettingsBilling.tsx';
import { TaxPanel } from './PricesSettingsTax.tsx';

type Tab = 'items' | 'billing' | 'tax';
const TABS = [
  { key: 'items', label: 'Price list' },
  { key: 'billing', label: 'Billing settings' },
  { key: 'tax', label: 'Tax' },
] as const;

export function PricesSettings() {
  const [tab, setTab] = useState<Tab>('items');
  return (
    <>
      <PageHeader title="Prices and tax" subtitle="What you charge, from which date, how invoices are numbered and rounded, and the taxes that apply." />
      <Tabs tabs={TABS} current={tab} onChange={setTab} label="Prices and tax" />
      <TabPanel id={tab}>
        {tab === 'items' ? <PriceItemsPanel /> : tab === 'billing' ? <BillingSettingsPanel /> : <TaxPanel />}
      </TabPanel>
    </>
  );
}
