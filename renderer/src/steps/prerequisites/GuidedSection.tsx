import { Checkbox, Stack, Text } from '@mantine/core';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { ExternalLink } from '../../components/ExternalLink.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import { useOpenExternal } from '../../components/useOpenExternal.js';
import { IDP_NAMES, type ProfileDto } from '../../model.js';
import { useDbtStore, useDbtView } from '../../store/dbt.js';
import { clockTime, dateTime } from '../../util/time.js';
import { GUIDED_ITEMS, settingsUrl } from './texts.js';

/**
 * Without an Admin API token: the three prerequisites as a checklist the admin ticks while looking
 * in dbt, each with where to look and a link to the page when the address is known.
 */
export function GuidedSection({
  profile,
  draft,
}: {
  profile: ProfileDto;
  draft: { apiUrl: string; accountId: string };
}) {
  const view = useDbtView(profile.id);
  const tick = useDbtStore((s) => s.tick);
  const link = useOpenExternal();
  const idpName = profile.idp ? IDP_NAMES[profile.idp] : 'your identity provider';
  const apiUrl = draft.apiUrl.trim() || profile.dbt.apiUrl;
  const accountId = draft.accountId.trim() || profile.dbt.accountId;
  const done = GUIDED_ITEMS.filter((item) => profile.manual[item.id] !== undefined).length;
  const all = done === GUIDED_ITEMS.length;

  return (
    <section aria-labelledby="prereq-guided-heading" id="prereq-guided">
      <SectionHeading
        id="prereq-guided-heading"
        title="Check it yourself in dbt"
        status={all ? 'verified' : done > 0 ? 'in_progress' : 'not_started'}
        statusText={all ? 'All ticked' : `${done} of ${GUIDED_ITEMS.length} ticked`}
      />
      <Stack gap="md" maw={720}>
        <Text size="sm">
          Without an Admin API token the wizard cannot read the account. Look at each item in dbt
          and tick it when it is true. The connection check in the dbt step proves the result.
        </Text>
        {!settingsUrl(apiUrl, accountId, 'account') && (
          <Text size="sm" c="dimmed">
            Enter the dbt API URL and the account id above to get direct links.
          </Text>
        )}
        <ul className="guided-list" aria-label="Prerequisites to check in dbt">
          {GUIDED_ITEMS.map((item) => {
            const ticked = profile.manual[item.id];
            const url = settingsUrl(apiUrl, accountId, item.page);
            return (
              <li key={item.id} className="guided-list__item">
                <Checkbox
                  label={item.title(idpName)}
                  aria-describedby={`${item.id}-where`}
                  checked={ticked !== undefined}
                  disabled={view.busy.tick !== undefined}
                  onChange={(e) => void tick(profile.id, item.id, e.currentTarget.checked)}
                />
                <Stack gap={4} ml={32} mt={4}>
                  <Text size="sm" c="dimmed" id={`${item.id}-where`}>
                    {item.where(idpName)}
                  </Text>
                  {url && (
                    <div>
                      <ExternalLink url={url} onOpen={link.open}>
                        {item.linkText}
                      </ExternalLink>
                    </div>
                  )}
                  {ticked && (
                    <Text size="xs" c="dimmed" title={dateTime(ticked)}>
                      Ticked at {clockTime(ticked)}
                    </Text>
                  )}
                </Stack>
              </li>
            );
          })}
        </ul>
        {view.errors.tick && (
          <ErrorCallout title="The tick was not saved" error={view.errors.tick} />
        )}
        {link.error && (
          <ErrorCallout title="The link was not opened" error={link.error} onDismiss={link.clear} />
        )}
      </Stack>
    </section>
  );
}
