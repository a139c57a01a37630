import { describe, expect, it } from 'vitest';
import { chooseAssignee, requiredSkillsOf, type AssignmentInput, type Candidate } from './assignment.js';

const agent = (id: string, over: Partial<Candidate> = {}): Candidate => ({ id, available: true, active: true, skills: [], maxLoad: null, load: 0, ...over });
const input = (over: Partial<AssignmentInput>): AssignmentInput => ({ strategy: 'least_loaded', candidates: [], requiredSkills: [], vip: false, seniorAgentIds: [], lastUserId: null, ...over });

describe('assignment strategies', () => {
  it('least loaded: fewest open tickets, never past an agent max load, only available agents', () => {
    const cs = [agent('a', { load: 3 }), agent('b', { load: 1, maxLoad: 1 }), agent('c', { load: 2 }), agent('d', { load: 0, available: false })];
    expect(chooseAssignee(input({ candidates: cs }))).toBe('c');
    expect(chooseAssignee(input({ candidates: [agent('a', { load: 2, maxLoad: 2 })] }))).toBeNull();
  });

  it('round robin: the next available agent after the previous one, wrapping around', () => {
    const cs = [agent('a'), agent('b', { available: false }), agent('c')];
    expect(chooseAssignee(input({ strategy: 'round_robin', candidates: cs }))).toBe('a');
    expect(chooseAssignee(input({ strategy: 'round_robin', candidates: cs, lastUserId: 'a' }))).toBe('c');
    expect(chooseAssignee(input({ strategy: 'round_robin', candidates: cs, lastUserId: 'c' }))).toBe('a');
  });

  it('skill based: the agent must have every required skill', () => {
    const cs = [agent('a', { skills: ['French'] }), agent('b', { skills: ['french', 'billing'], load: 5 })];
    expect(chooseAssignee(input({ strategy: 'skill_based', candidates: cs, requiredSkills: ['french', 'billing'] }))).toBe('b');
    expect(chooseAssignee(input({ strategy: 'skill_based', candidates: cs, requiredSkills: ['german'] }))).toBeNull();
    expect(requiredSkillsOf(['skill:french', 'billing', 'skill:sso'])).toEqual(['french', 'sso']);
  });

  it('vip: VIP contacts go to the named senior agents only; others to the least loaded', () => {
    const cs = [agent('a', { load: 0 }), agent('s', { load: 4 })];
    expect(chooseAssignee(input({ strategy: 'vip', candidates: cs, vip: true, seniorAgentIds: ['s'] }))).toBe('s');
    expect(chooseAssignee(input({ strategy: 'vip', candidates: cs, vip: false, seniorAgentIds: ['s'] }))).toBe('a');
    expect(chooseAssignee(input({ strategy: 'vip', candidates: [agent('s', { available: false })], vip: true, seniorAgentIds: ['s'] }))).toBeNull();
  });

  it('manual: rules never pick anyone', () => {
    expect(chooseAssignee(input({ strategy: 'manual', candidates: [agent('a')] }))).toBeNull();
  });
});
