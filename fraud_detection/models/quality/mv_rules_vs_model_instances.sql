-- Each injected instance, detected by the rules alone (any rule signal) and by rules + model (any
-- signal, ml_anomaly included) of its customer in [started_at, ended_at + grace]: the matching
-- rule of int_label_detections, over every signal type instead of the intended ones.
with labels as (
    select instance_id, scenario, customer_id, started_at, ended_at, is_evasive
    from {{ ref('int_fraud_labels') }}
),

signals as (
    select signal_id, signal_type, customer_id, detected_at from {{ ref('mv_signals') }}
),

matched as (
    select
        labels.instance_id as instance_id,
        labels.scenario as scenario,
        labels.is_evasive as is_evasive,
        count(signals.signal_id) filter (where signals.signal_type <> 'ml_anomaly')
            as rule_detections,
        count(signals.signal_id) as detections
    from labels
    left join signals
        on labels.customer_id = signals.customer_id
        and signals.detected_at >= labels.started_at
        and signals.detected_at
        <= labels.ended_at + interval '{{ var("label_match_grace_minutes") }} minutes'
    group by labels.instance_id, labels.scenario, labels.is_evasive
),

final as (
    select
        instance_id as instance_id,
        scenario as scenario,
        is_evasive as is_evasive,
        rule_detections > 0 as detected_by_rules,
        detections > 0 as detected_by_rules_model
    from matched
)

select * from final
