export { registerNotificationRoutes, registerNoticeRoutes } from './notifications.routes.js';
export { registerNotificationJobs, registerNotificationSubscribers } from './notifications.jobs.js';
export { registerNotificationRealtime } from './notifications.realtime.js';
export { registerCustomerNotificationRoutes } from './customer-notifications.routes.js';
export { registerCustomerNotificationJobs, registerCustomerNotificationSubscribers } from './customer-notifications.jobs.js';
