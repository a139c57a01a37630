export { rateFromLink, surveyLinkToken } from './csat.service.js';
export { registerCsatRoutes } from './csat.routes.js';
export { registerCsatJobs, registerCsatSubscribers } from './csat.jobs.js';
