-- Every logged detection of an account in the case horizon, with the case it belongs to. A case is
-- a run of an account's detections with no gap longer than retention_hours: after such a gap the
-- account had no detection in retention, so its risk was zero and its previous case had closed.
-- The case id comes from the run's first detection, read from the signal log, which keeps
-- detections after their inputs expire: the id stays the same for as long as the case is open.
-- depends_on: {{ ref('mv_signals') }}
with logged_signals as (
    select signal_id, signal_type, customer_id, account_id, detected_at
    from {{ source('log', 'signal_log') }}
    where
        account_id is not null
        and detected_at > now() - interval '{{ var("case_horizon_hours") }} hours'
),

with_previous as (
    select
        signal_id as signal_id,
        signal_type as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        detected_at as detected_at,
        lag(detected_at) over (
            partition by account_id order by detected_at, signal_id
        ) as previous_detected_at
    from logged_signals
),

run_starts as (
    select
        signal_id as signal_id,
        signal_type as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        detected_at as detected_at,
        case
            when previous_detected_at is null
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
