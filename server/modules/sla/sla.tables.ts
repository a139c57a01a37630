/** Row shapes of the sla module's own tables (migration 2026112212). */
export interface SlaTables {
  business_calendars: { id: string; name: string; time_zone: string; weekly_hours: string; holidays: string; created_at: string; updated_at: string };
  sla_policies: {
    id: string;
    name: string;
    position: number;
    condition: string;
    targets: string;
    business_time: number;
    calendar_id: string | null;
    warning_percent: number;
    active: number;
    created_at: string;
    updated_at: string;
  };
  ticket_sla: { ticket_id: string; policy_id: string; priority: string; applied_by: string; paused_at: string | null; updated_at: string };
  ticket_sla_targets: {
    ticket_id: string;
    target: string;
    minutes: number;
    start_at: string;
    paused_ms: number | string;
    due_at: string;
    warn_at: string;
    met_at: string | null;
    warned_at: string | null;
    breached_at: string | null;
    next_check_at: string | null;
  };
}
