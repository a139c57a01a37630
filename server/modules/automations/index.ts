export { registerAutomationRoutes } from './automations.routes.js';
export { registerAutomationJobs, registerAutomationSubscribers } from './automations.jobs.js';
export { sweepTimeRules, type SweepResult } from './time-rules.service.js';
export { registerAutomationReferences, rulesUsingCalendar, rulesUsingPolicy, rulesUsingWebhook, type AutomationReferences } from './rule-references.js';
