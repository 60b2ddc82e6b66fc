-- Precision of each signal (detections that fall in any injected instance of the same customer,
-- in [started_at, ended_at + grace]) and its recall over the scenarios it is meant to catch.
with signal_types as (
    select distinct signal_type from {{ ref('scenario_signals') }}
),

labels as (
    select instance_id, customer_id, started_at, ended_at from {{ ref('stg_fraud_labels') }}
),

signals as (
    select signal_id, signal_type, customer_id, detected_at from {{ ref('mv_signals') }}
),

label_detections as (
    select signal_type, first_detected_at, time_to_detect_s
    from {{ ref('int_label_detections') }}
),

judged as (
    select
        signals.signal_id as signal_id,
        signals.signal_type as signal_type,
        count(labels.instance_id) as matching_instances
    from signals
    left join labels
        on signals.customer_id = labels.customer_id
        and signals.detected_at >= labels.started_at
        and signals.detected_at
        <= labels.ended_at + interval '{{ var("label_match_grace_minutes") }} minutes'
    group by signals.signal_id, signals.signal_type
),

per_signal as (
    select
        signal_type as signal_type,
        count(*) as detections,
        count(*) filter (where matching_instances > 0) as true_positive_detections
    from judged
    group by signal_type
),

per_signal_recall as (
    select
        signal_type as signal_type,
        count(*) as instances_injected,
        count(first_detected_at) as instances_detected,
        {{ median('time_to_detect_s') }} as median_time_to_detect_s
    from label_detections
    group by signal_type
),

final as (
    select
        signal_types.signal_type as signal_type,
        coalesce(per_signal.detections, 0) as detections,
        coalesce(per_signal.true_positive_detections, 0) as true_positive_detections,
        round(
            cast(per_signal.true_positive_detections as numeric)
            / cast(nullif(per_signal.detections, 0) as numeric), 4
        ) as precision,
        coalesce(per_signal_recall.instances_injected, 0) as instances_injected,
        coalesce(per_signal_recall.instances_detected, 0) as instances_detected,
        round(
            cast(per_signal_recall.instances_detected as numeric)
            / cast(nullif(per_signal_recall.instances_injected, 0) as numeric), 4
        ) as recall,
        round(cast(per_signal_recall.median_time_to_detect_s as numeric), 1)
            as median_time_to_detect_s
    from signal_types
    left join per_signal
        on signal_types.signal_type = per_signal.signal_type
    left join per_signal_recall
        on signal_types.signal_type = per_signal_recall.signal_type
)

select * from final
