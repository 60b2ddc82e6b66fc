-- Each injected instance against each signal meant to catch it, with its first detection: a
-- detection of that signal for the same customer in [started_at, ended_at + grace].
with labels as (
    select instance_id, scenario, customer_id, started_at, ended_at, is_evasive
    from {{ ref('int_fraud_labels') }}
),

scenario_signals as (
    select scenario, signal_type, is_primary from {{ ref('int_scenario_signals') }}
),

signals as (
    select signal_type, customer_id, detected_at from {{ ref('mv_signals') }}
),

expected as (
    select
        labels.instance_id as instance_id,
        labels.scenario as scenario,
        labels.customer_id as customer_id,
        labels.started_at as started_at,
        labels.ended_at as ended_at,
        labels.is_evasive as is_evasive,
        scenario_signals.signal_type as signal_type,
        scenario_signals.is_primary as is_primary
    from labels
    inner join scenario_signals
        on labels.scenario = scenario_signals.scenario
),

matched as (
    select
        expected.instance_id as instance_id,
        expected.scenario as scenario,
        expected.signal_type as signal_type,
        expected.is_primary as is_primary,
        expected.is_evasive as is_evasive,
        expected.started_at as started_at,
        min(signals.detected_at) as first_detected_at
    from expected
    left join signals
        on expected.customer_id = signals.customer_id
        and expected.signal_type = signals.signal_type
        and {{ in_label_window('signals.detected_at', 'expected') }}
    group by
        expected.instance_id, expected.scenario, expected.signal_type, expected.is_primary,
        expected.is_evasive, expected.started_at
),

final as (
    select
        instance_id as instance_id,
        scenario as scenario,
        signal_type as signal_type,
        is_primary as is_primary,
        is_evasive as is_evasive,
        started_at as started_at,
        first_detected_at as first_detected_at,
        cast(
            extract(epoch from first_detected_at) - extract(epoch from started_at)
            as double precision
        ) as time_to_detect_s
    from matched
)

select * from final
