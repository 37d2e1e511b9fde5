import { Radio, Stack } from '@mantine/core';
import type { Idp } from '../model.js';

/** The radio value for "not chosen yet". */
export const IDP_UNSURE = 'unsure';
export type IdpChoiceValue = Idp | typeof IDP_UNSURE;

const OPTIONS: readonly { value: IdpChoiceValue; label: string; description: string }[] = [
  {
    value: 'okta',
    label: 'Okta',
    description:
      'Uses the Okta app you already have for dbt sign-in. A few settings are made in the Okta Admin Console, and the wizard checks each one.',
  },
  {
    value: 'entra',
    label: 'Microsoft Entra ID',
    description:
      'Creates a dedicated enterprise app and sets up its provisioning through Microsoft Graph.',
  },
  {
    value: IDP_UNSURE,
    label: 'I’m not sure yet',
    description:
      'Choose later. The wizard can tell from your dbt account’s single sign-on settings.',
  },
];

export function toIdp(value: IdpChoiceValue): Idp | null {
  return value === IDP_UNSURE ? null : value;
}

export function fromIdp(idp: Idp | null): IdpChoiceValue {
  return idp ?? IDP_UNSURE;
}

export function IdpChoice({
  value,
  onChange,
  error,
}: {
  value: IdpChoiceValue | null;
  onChange: (value: IdpChoiceValue) => void;
  error?: string | undefined;
}) {
  return (
    <Radio.Group<IdpChoiceValue>
      label="Identity provider"
      description="The one that signs users in to dbt today."
      value={value}
      onChange={onChange}
      error={error}
      withAsterisk
    >
      <Stack gap="sm" mt="xs">
        {OPTIONS.map((o) => (
          <Radio key={o.value} value={o.value} label={o.label} description={o.description} />
        ))}
      </Stack>
    </Radio.Group>
  );
}
