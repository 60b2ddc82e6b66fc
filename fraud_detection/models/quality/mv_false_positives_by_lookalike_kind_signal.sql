-- False-positive detections per look-alike kind (or 'unattributed') and signal type.
with false_positives as (
    select signal_type, false_positive_kind, lookalike_episode_id
    from {{ ref('int_signal_judgements') }}
    where not is_true_positive
),

final as (
    select
        false_positive_kind as lookalike_kind,
        signal_type as signal_type,
        count(*) as false_positive_detections,
        count(distinct lookalike_episode_id) as episodes_flagged
    from false_positives
    group by false_positive_kind, signal_type
)

select * from final
