-- Recall and median time-to-detect of each scenario by its intended signal, overall and apart on
-- non-evasive and evasive instances.
with primary_detections as (
    select scenario, signal_type, is_evasive, first_detected_at, time_to_detect_s
    from {{ ref('int_label_detections') }}
    where is_primary
),

final as (
    select
        scenario as scenario,
        signal_type as intended_signal,
        count(*) as instances_injected,
        count(first_detected_at) as instances_detected,
        round(cast(count(first_detected_at) as numeric) / cast(count(*) as numeric), 4) as recall,
        round(cast({{ median('time_to_detect_s') }} as numeric), 1) as median_time_to_detect_s,
        count(*) filter (where is_evasive) as instances_evasive,
        count(first_detected_at) filter (where is_evasive) as instances_detected_evasive,
        round(
            cast(count(first_detected_at) filter (where not is_evasive) as numeric)
            / cast(nullif(count(*) filter (where not is_evasive), 0) as numeric), 4
        ) as recall_non_evasive,
        round(
            cast(count(first_detected_at) filter (where is_evasive) as numeric)
            / cast(nullif(count(*) filter (where is_evasive), 0) as numeric), 4
        ) as recall_evasive
    from primary_detections
    group by scenario, signal_type
)

select * from final
