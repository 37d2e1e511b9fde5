import type { CommandSpec } from '../spec.js';

export const profilesList: CommandSpec = {
  path: ['profiles', 'list'],
  summary: 'list the saved profiles (one per dbt account) and their progress',
  async run(ctx) {
    const { profiles, activeProfileId } = await ctx.services().profiles.list();
    const lines =
      profiles.length === 0
        ? ['No profiles yet. Create one in the app, or pass the account flags to each command.']
        : profiles.map((p) => {
            const done = Object.values(p.steps).filter((s) => s.status === 'verified').length;
            const mark = p.id === activeProfileId ? '*' : ' ';
            return `${mark} ${p.name}  (${p.idp ?? 'IdP not chosen'}, ${done}/6 steps verified, id ${p.id})`;
          });
    return {
      lines,
      data: {
        activeProfileId,
        profiles: profiles.map((p) => ({
          id: p.id,
          name: p.name,
          idp: p.idp,
          currentStep: p.currentStep,
          steps: p.steps,
        })),
      },
    };
  },
};
