import type { Strategy } from './automations.repository.js';

/** One agent of a group as the strategies see them. */
export interface Candidate {
  id: string;
  available: boolean;
  active: boolean;
  skills: string[];
  maxLoad: number | null;
  /** Open tickets (open, in progress, waiting) assigned to them now. */
  load: number;
}

export interface AssignmentInput {
  strategy: Strategy;
  candidates: Candidate[];
  /** Skills the ticket asks for (its `skill:<name>` tags). */
  requiredSkills: string[];
  vip: boolean;
  seniorAgentIds: string[];
  /** Round robin: who got the group's previous ticket. */
  lastUserId: string | null;
}

/** Tags of the form `skill:<name>` are the skills a ticket requires. */
export const requiredSkillsOf = (tags: readonly string[]): string[] => tags.filter((t) => t.startsWith('skill:')).map((t) => t.slice(6));

const canTake = (c: Candidate): boolean => c.active && c.available && (c.maxLoad === null || c.load < c.maxLoad);
const leastLoaded = (cs: Candidate[]): Candidate | undefined => [...cs].sort((a, b) => a.load - b.load || a.id.localeCompare(b.id))[0];

/**
 * Picks the agent for a ticket, or null when nobody can take it (it then stays unassigned in
 * the group's queue). Only available, active agents under their max load count, whatever the
 * strategy. Pure; ties go to the lower id so the choice is reproducible.
 */
export function chooseAssignee(i: AssignmentInput): string | null {
  const able = i.candidates.filter(canTake);
  switch (i.strategy) {
    case 'manual':
      return null;
    case 'least_loaded':
      return leastLoaded(able)?.id ?? null;
    case 'skill_based': {
      const skilled = able.filter((c) => i.requiredSkills.every((s) => c.skills.map((x) => x.toLowerCase()).includes(s.toLowerCase())));
      return leastLoaded(skilled)?.id ?? null;
    }
    case 'vip': {
      if (!i.vip) return leastLoaded(able)?.id ?? null;
      return leastLoaded(able.filter((c) => i.seniorAgentIds.includes(c.id)))?.id ?? null;
    }
    case 'round_robin': {
      const ring = [...i.candidates].sort((a, b) => a.id.localeCompare(b.id));
      if (ring.length === 0) return null;
      const start = i.lastUserId ? ring.findIndex((c) => c.id > i.lastUserId!) : 0;
      for (let k = 0; k < ring.length; k++) {
        const c = ring[((start < 0 ? 0 : start) + k) % ring.length]!;
        if (canTake(c)) return c.id;
      }
      return null;
    }
  }
}
