-- Precision of each signal (detections that fall in any injected instance of the same customer,
-- in [started_at, ended_at + grace]) and its recall over the scenarios it is meant to catch,
-- overall and apart on non-evasive and evasive instances.
with signal_types as (
    select distinct signal_type from {{ ref('int_scenario_signals') }}
),

judgements as (
    select signal_id, signal_type, is_true_positive from {{ ref('int_signal_judgements') }}
),

label_detections as (
    select signal_type, is_evasive, first_detected_at, time_to_detect_s
    from {{ ref('int_label_detections') }}
),

per_signal as (
    select
        signal_type as signal_type,
        count(*) as detections,
        count(*) filter (where is_true_positive) as true_positive_detections
    from judgements
    group by signal_type
),

per_signal_recall as (
    select
        signal_type as signal_type,
        count(*) as instances_injected,
        count(first_detected_at) as instances_detected,
        count(*) filter (where not is_evasive) as instances_injected_non_evasive,
        count(first_detected_at) filter (where not is_evasive) as instances_detected_non_evasive,
        count(*) filter (where is_evasive) as instances_injected_evasive,
        count(first_detected_at) filter (where is_evasive) as instances_detected_evasive,
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
            as median_time_to_detect_s,
        coalesce(per_signal.detections - per_signal.true_positive_detections, 0)
            as false_positive_detections,
        coalesce(per_signal_recall.instances_injected_non_evasive, 0)
            as instances_injected_non_evasive,
        coalesce(per_signal_recall.instances_detected_non_evasive, 0)
            as instances_detected_non_evasive,
        round(
            cast(per_signal_recall.instances_detected_non_evasive as numeric)
            / cast(nullif(per_signal_recall.instances_injected_non_evasive, 0) as numeric), 4
        ) as recall_non_evasive,
        coalesce(per_signal_recall.instances_injected_evasive, 0) as instances_injected_evasive,
        coalesce(per_signal_recall.instances_detected_evasive, 0) as instances_detected_evasive,
        round(
            cast(per_signal_recall.instances_detected_evasive as numeric)
            / cast(nullif(per_signal_recall.instances_injected_evasive, 0) as numeric), 4
        ) as recall_evasive
    from signal_types
    left join per_signal
        on signal_types.signal_type = per_signal.signal_type
    left join per_signal_recall
        on signal_types.signal_type = per_signal_recall.signal_type
)

select * from final
