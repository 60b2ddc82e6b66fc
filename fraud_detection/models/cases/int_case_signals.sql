-- Every detection of an account in the case horizon, with the case it belongs to. A case is
-- a run of an account's detections with no gap longer than retention_hours (after such a gap the
-- account had no detection in retention, so its risk was zero and its previous case had closed)
-- and no analyst closure in between: activity after a closure opens a new case. A closure that a
-- lead reopened is no boundary (mv_case_status holds only the current state of each case).
-- The case id comes from the run's first detection. A detection is read from mv_signals while it
-- is there and from the signal log after (macros/signal_log.sql): the log keeps it after its inputs
-- expire, in the version mv_signals last showed, so the id stays the same while the case is open,
-- and a detection retracted by a late input is in neither.
with live_signals as (
    select signal_id, signal_type, customer_id, account_id, detected_at
    from {{ ref('mv_signals') }}
),

expired_signals as (
    select
        log_rows.signal_id as signal_id,
        log_rows.signal_type as signal_type,
        log_rows.customer_id as customer_id,
        log_rows.account_id as account_id,
        log_rows.detected_at as detected_at
    from {{ source('log', 'signal_log') }} as log_rows
    left join live_signals as live_now on log_rows.signal_id = live_now.signal_id
    where
        live_now.signal_id is null
        and log_rows.detected_at > now() - interval '{{ var("case_horizon_hours") }} hours'
),

logged_signals as (
    select signal_id, signal_type, customer_id, account_id, detected_at
    from live_signals
    where account_id is not null
    union all
    select signal_id, signal_type, customer_id, account_id, detected_at
    from expired_signals
    where account_id is not null
),

closures as (
    select case_id, account_id, last_decided_at
    from {{ ref('mv_case_status') }}
    where
        status = 'closed'
        and last_decided_at > now() - interval '{{ var("case_horizon_hours") }} hours'
),

account_events as (
    select
        signal_id as signal_id,
        signal_type as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        detected_at as detected_at,
        false as is_closure
    from logged_signals
    union all
    select
        'closure:' || case_id as signal_id,
        cast(null as varchar) as signal_type,
        cast(null as varchar) as customer_id,
        account_id as account_id,
        last_decided_at as detected_at,
        true as is_closure
    from closures
),

with_previous as (
    select
        signal_id as signal_id,
        signal_type as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        detected_at as detected_at,
        is_closure as is_closure,
        lag(detected_at) over (
            partition by account_id order by detected_at, signal_id
        ) as previous_detected_at,
        lag(is_closure) over (
            partition by account_id order by detected_at, signal_id
        ) as previous_is_closure
    from account_events
),

run_starts as (
    select
        signal_id as signal_id,
        signal_type as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        detected_at as detected_at,
        is_closure as is_closure,
        case
            when is_closure then null
            when previous_detected_at is null
                or previous_is_closure
                or previous_detected_at
                < detected_at - interval '{{ var("retention_hours") }} hours'
                then detected_at
        end as run_started_at
    from with_previous
),

assigned as (
    select
        signal_id as signal_id,
        signal_type as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        detected_at as detected_at,
        max(run_started_at) over (
            partition by account_id order by detected_at, signal_id
            rows between unbounded preceding and current row
        ) as case_opened_at
    from run_starts
    where not is_closure
),

final as (
    select
        {{ case_id('account_id', 'case_opened_at') }} as case_id,
        signal_id as signal_id,
        signal_type as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        detected_at as detected_at,
        case_opened_at as case_opened_at
    from assigned
)

select * from final
