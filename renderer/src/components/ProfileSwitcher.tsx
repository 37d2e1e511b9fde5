import { Button, Select } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useWizardStore } from '../store/wizard.js';
import { AppModal } from './AppModal.js';
import { NewProfileForm } from './NewProfileForm.js';

/** The active profile (a dbt account) as a Select, and "New profile". */
export function ProfileSwitcher() {
  const profiles = useWizardStore((s) => s.profiles);
  const activeProfileId = useWizardStore((s) => s.activeProfileId);
  const selectProfile = useWizardStore((s) => s.selectProfile);
  const [creating, setCreating] = useState(false);

  function close(): void {
    setCreating(false);
  }

  return (
    <>
      <Select
        aria-label="Profile"
        data={profiles.map((p) => ({ value: p.id, label: p.name }))}
        value={activeProfileId}
        onChange={(id) => {
          if (id) {
            void selectProfile(id);
          }
        }}
        allowDeselect={false}
        checkIconPosition="right"
        comboboxProps={{ withinPortal: false }}
        w={220}
        size="sm"
      />
      <Button
        variant="default"
        size="sm"
        leftSection={<IconPlus size={16} aria-hidden />}
        onClick={() => {
          setCreating(true);
        }}
      >
        New profile
      </Button>
      <AppModal opened={creating} onClose={close} title="New profile" size="lg">
        <NewProfileForm onCreated={close} onCancel={close} autoFocus />
      </AppModal>
    </>
  );
}
