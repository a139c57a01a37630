/** Row shapes of the tickets module's own tables. */
export interface TicketTables {
  tickets: {
    id: string;
    number: number;
    subject: string;
    status: string;
    /** Derived from status for the queue indexes (migration 2026112210). */
    is_open: number;
    priority: string;
    type: string;
    channel: string;
    requester_id: string;
    organization_id: string | null;
    assignee_id: string | null;
    group_id: string | null;
    spam: number;
    merged_into_id: string | null;
    split_from_id: string | null;
    follow_up_of_id: string | null;
    custom_fields: unknown;
    first_response_at: string | null;
    resolved_at: string | null;
    closed_at: string | null;
    reopen_count: number;
    message_count: number;
    last_message_at: string | null;
    created_at: string;
    updated_at: string;
    /** Next unmet SLA target, written by the sla module through `setTicketSlaStates` (migration 2026112212). */
    sla_target: string | null;
    /** Its due time; NULL while the clock is paused or nothing is left to meet. */
    sla_due_at: string | null;
    sla_breached: number;
    sla_paused: number;
  };
  ticket_tags: { ticket_id: string; tag: string };
  ticket_stars: { user_id: string; ticket_id: string; created_at: string };
  ticket_events: {
    id: string;
    ticket_id: string;
    actor_type: string;
    actor_id: string | null;
    action: string;
    from_value: unknown;
    to_value: unknown;
    data: unknown;
    at: string;
  };
  custom_fields: {
    id: string;
    key: string;
    label: string;
    type: string;
    options: unknown;
    required_for_types: unknown;
    position: number;
    active: number;
    created_at: string;
    updated_at: string;
  };
  views: {
    id: string;
    name: string;
    owner_id: string | null;
    shared: number;
    query: string;
    columns: unknown;
    sort: string;
    position: number;
    created_at: string;
    updated_at: string;
  };
}
