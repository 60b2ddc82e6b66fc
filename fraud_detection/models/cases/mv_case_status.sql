-- The current state of every case an analyst has acted on: its newest decision record, which
-- carries the whole state. A view on PostgreSQL so the service reads its own writes at once.
{{ config(materialized=('materialized_view' if target.type == 'risingwave' else 'view')) }}
with decisions as (
    select
        case_id, seq, action, actor, decided_at, status, assignee, outcome, note, account_id,
        severity, reason_codes, case_opened_at
    from {{ source('case_store', 'case_decisions') }}
),

ranked as (
    select
        case_id as case_id,
        seq as seq,
        action as action,
        actor as actor,
        decided_at as decided_at,
        status as status,
        assignee as assignee,
        outcome as outcome,
        account_id as account_id,
        severity as severity,
        reason_codes as reason_codes,
        case_opened_at as case_opened_at,
        row_number() over (partition by case_id order by seq desc) as row_rank
    from decisions
),

final as (
    select
        case_id as case_id,
        seq as decision_count,
        action as last_action,
        actor as last_actor,
        decided_at as last_decided_at,
        status as status,
        assignee as assignee,
        outcome as outcome,
        account_id as account_id,
        severity as severity,
        reason_codes as reason_codes,
        case_opened_at as case_opened_at
    from ranked
    where row_rank = 1
)

select * from final
