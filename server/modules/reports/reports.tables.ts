/**
 * The rows reports read (tickets' tables, read-only; reports is the top tier and nobody
 * imports it) and the tables reports own: projections of other modules' events.
 */
export interface ReportTables {
  tickets: {
    id: string;
    number: number;
    subject: string;
    status: string;
    is_open: number;
    priority: string;
    type: string;
    channel: string;
    organization_id: string | null;
    assignee_id: string | null;
    group_id: string | null;
    spam: number;
    merged_into_id: string | null;
    first_response_at: string | null;
    resolved_at: string | null;
    reopen_count: number;
    created_at: string;
    updated_at: string;
  };
  ticket_tags: { ticket_id: string; tag: string };
  ticket_events: { id: string; ticket_id: string; actor_type: string; actor_id: string | null; action: string; from_value: unknown; to_value: unknown; at: string };
  time_entries: { id: string; ticket_id: string; user_id: string; minutes: number; work_date: string };
  /** The latest CSAT rating per ticket, from `csat.rated`. */
  report_csat: { ticket_id: string; rating: number; scale: string; positive: number; has_comment: number; rated_at: string };
  /** SLA warnings and breaches per ticket, target and due time, from `sla.warning` / `sla.breached`. */
  report_sla_events: { ticket_id: string; kind: string; target: string; due_at: string; policy_id: string; at: string };
  report_daily: { time_zone: string; metric: string; dim: string; key: string; day: string; n: number };
  report_ticket_facts: {
    ticket_id: string;
    created_day: string | null;
    resolved_day: string | null;
    channel: string;
    group_id: string;
    priority: string;
    type: string;
    assignee_id: string;
    organization_id: string;
    first_response_seconds: number | null;
    first_response_bucket: number | null;
    resolution_seconds: number | null;
    resolution_bucket: number | null;
    flags: number;
  };
  report_ticket_replies: { ticket_id: string; agent_id: string; day: string; n: number; gap: number };
  report_ticket_tags: { ticket_id: string; tag: string };
  report_ticket_time: { ticket_id: string; agent_id: string; day: string; minutes: number; entries: number; gap: number };
  report_daily_stats: { time_zone: string; metric: string; dim: string; key: string; day: string; bucket: number; n: number; seconds: number };
  report_ticket_reopens: { ticket_id: string; day: string };
  /** Report settings (the digest, the rollups' state), one JSON row per key. */
  report_settings: { key: string; value: string; updated_at: string };
}
