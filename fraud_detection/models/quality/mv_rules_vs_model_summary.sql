-- Rules alone against rules + model, in one row: instances detected (mv_rules_vs_model_instances)
-- and recall, overall and on the evasive ones; detections and their precision
-- (int_signal_judgements; the rules' side leaves ml_anomaly out); detections per 1,000 valid
-- transactions.
with instances as (
    select
        'instance' as item_kind,
        is_evasive as is_evasive,
        detected_by_rules as by_rules,
        detected_by_rules_model as by_rules_model,
        cast(null as boolean) as is_true_positive
    from {{ ref('mv_rules_vs_model_instances') }}
),

detections as (
    select
        'detection' as item_kind,
        cast(null as boolean) as is_evasive,
        signal_type <> 'ml_anomaly' as by_rules,
        true as by_rules_model,
        is_true_positive as is_true_positive
    from {{ ref('int_signal_judgements') }}
),

transactions as (
    select
        'transaction' as item_kind,
        cast(null as boolean) as is_evasive,
        cast(null as boolean) as by_rules,
        cast(null as boolean) as by_rules_model,
        cast(null as boolean) as is_true_positive
    from {{ ref('int_transactions') }}
),

items as (
    select * from instances
    union all
    select * from detections
    union all
    select * from transactions
),

counted as (
    select
        count(*) filter (where item_kind = 'transaction') as transactions,
        count(*) filter (where item_kind = 'instance') as instances,
        count(*) filter (where item_kind = 'instance' and is_evasive) as evasive_instances,
        count(*) filter (where item_kind = 'instance' and by_rules) as rules_detected,
        count(*) filter (where item_kind = 'instance' and by_rules_model) as rules_model_detected,
        count(*) filter (where item_kind = 'instance' and is_evasive and by_rules)
            as rules_evasive_detected,
        count(*) filter (where item_kind = 'instance' and is_evasive and by_rules_model)
            as rules_model_evasive_detected,
        count(*) filter (where item_kind = 'detection' and by_rules) as rules_detections,
        count(*) filter (where item_kind = 'detection') as rules_model_detections,
        count(*) filter (where item_kind = 'detection' and by_rules and is_true_positive)
            as rules_true_positives,
        count(*) filter (where item_kind = 'detection' and is_true_positive)
            as rules_model_true_positives
    from items
),

final as (
    select
        transactions as transactions,
        instances as instances,
        evasive_instances as evasive_instances,
        rules_detected as rules_instances_detected,
        rules_model_detected as rules_model_instances_detected,
        round(
            cast(rules_detected as numeric) / cast(nullif(instances, 0) as numeric), 4
        ) as rules_recall,
        round(
            cast(rules_model_detected as numeric) / cast(nullif(instances, 0) as numeric), 4
        ) as rules_model_recall,
        round(
            cast(rules_evasive_detected as numeric)
            / cast(nullif(evasive_instances, 0) as numeric), 4
        ) as rules_evasive_recall,
        round(
            cast(rules_model_evasive_detected as numeric)
            / cast(nullif(evasive_instances, 0) as numeric), 4
        ) as rules_model_evasive_recall,
        rules_detections as rules_detections,
        rules_model_detections as rules_model_detections,
        round(
            cast(rules_true_positives as numeric) / cast(nullif(rules_detections, 0) as numeric), 4
        ) as rules_precision,
        round(
            cast(rules_model_true_positives as numeric)
            / cast(nullif(rules_model_detections, 0) as numeric), 4
        ) as rules_model_precision,
        round(
            1000 * cast(rules_detections as numeric) / cast(nullif(transactions, 0) as numeric), 2
        ) as rules_alerts_per_1000,
        round(
            1000 * cast(rules_model_detections as numeric)
            / cast(nullif(transactions, 0) as numeric), 2
        ) as rules_model_alerts_per_1000
    from counted
)

select * from final
