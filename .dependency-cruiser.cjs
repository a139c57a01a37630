/**
 * The module tiers of DESIGN.md 4. A module imports platform/, contracts/ and the index.ts of
 * modules in lower tiers only; higher tiers react to lower ones through events.
 */
const TIERS = {
  auth: 1,
  contacts: 2,
  tickets: 3,
  messages: 3,
  channels: 4,
  routing: 5,
  sla: 5,
  automations: 5,
  notifications: 5,
  integrations: 5,
  csat: 5,
  reports: 6,
};
// Same-tier imports that DESIGN.md allows.
const SAME_TIER_ALLOWED = { messages: ['tickets'], automations: ['sla'] };

const mods = Object.keys(TIERS);
const forbidden = [
  {
    name: 'no-circular',
    severity: 'error',
    comment: 'Cycles between files make modules impossible to reason about and to test alone.',
    from: {},
    to: { circular: true },
  },
  {
    name: 'platform-not-modules',
    severity: 'error',
    comment: 'platform/ holds mechanisms with no domain knowledge: it never imports modules/.',
    from: { path: '^server/platform/' },
    to: { path: '^server/modules/' },
  },
  {
    name: 'contracts-only-zod',
    severity: 'error',
    comment: 'contracts/ is shared with the web app: it imports only zod and itself.',
    from: { path: '^contracts/' },
    to: { path: '^(server|web|test)/' },
  },
  {
    name: 'module-index-only',
    severity: 'error',
    comment: 'Only a module\'s index.ts is imported from outside the module.',
    from: { path: '^server/modules/([^/]+)/' },
    to: { path: '^server/modules/([^/]+)/(?!index\\.ts$)', pathNot: '^server/modules/$1/' },
  },
];
for (const from of mods) {
  const allowed = mods.filter((to) => TIERS[to] < TIERS[from] || (SAME_TIER_ALLOWED[from] ?? []).includes(to));
  const disallowed = mods.filter((to) => to !== from && !allowed.includes(to));
  if (disallowed.length === 0) continue;
  forbidden.push({
    name: `tier-${from}`,
    severity: 'error',
    comment: `${from} (tier ${TIERS[from]}) may import only lower tiers (${allowed.join(', ') || 'none'}); react to higher tiers through events.`,
    from: { path: `^server/modules/${from}/` },
    to: { path: `^server/modules/(${disallowed.join('|')})/` },
  });
}

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.test\\.ts$' },
  },
};
