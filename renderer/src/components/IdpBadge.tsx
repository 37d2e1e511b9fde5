import { Badge, VisuallyHidden } from '@mantine/core';
import type { Idp } from '../model.js';
import { IDP_NAMES } from '../model.js';

export function IdpBadge({ idp }: { idp: Idp | null }) {
  return (
    <Badge variant="light" color={idp ? 'blue' : 'gray'} size="lg" tt="none" fw={500}>
      <VisuallyHidden>Identity provider: </VisuallyHidden>
      {idp ? IDP_NAMES[idp] : 'IdP not chosen'}
    </Badge>
  );
}
