export { registerCsatRoutes } from './csat.routes.js';
export { registerCsatJobs, registerCsatSubscribers } from './csat.jobs.js';
