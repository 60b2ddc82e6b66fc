-- Each valid transaction's risk as the rules see it (the largest risk weight among the rule
-- detections it belongs to, int_signal_transactions) and as rules + model see it (noisy-or of
-- that and the model's score), with its ground truth: the scenario of the fraud instance whose
-- event_ids hold it (the first by name when several), evasive when any such instance is.
{%- set weights = var('risk_weights') %}
with transactions as (
    select event_id from {{ ref('int_transactions') }}
),

labels as (
    select scenario, is_evasive, event_ids from {{ ref('int_fraud_labels') }}
),

labelled_events as (
    select
        scenario as scenario,
        is_evasive as is_evasive,
        unnest(event_ids) as event_id
    from labels
),

truth as (
    select
        event_id as event_id,
        min(scenario) as scenario,
        count(*) filter (where is_evasive) > 0 as is_evasive
    from labelled_events
    group by event_id
),

signal_transactions as (
    select event_id, signal_type from {{ ref('int_signal_transactions') }}
),

rule_scores as (
    select
        event_id as event_id,
        max(
            case signal_type
                {%- for signal_type, weight in weights.items() if signal_type != 'ml_anomaly' %}
                when '{{ signal_type }}' then {{ weight }}
                {%- endfor %}
                else 0
            end
        ) as rule_score
    from signal_transactions
    group by event_id
),

model_scores as (
    select event_id, score from {{ ref('int_ml_scores') }}
),

final as (
    select
        transactions.event_id as event_id,
        truth.scenario as scenario,
        truth.event_id is not null as is_fraud,
        coalesce(truth.is_evasive, false) as is_evasive,
        coalesce(rule_scores.rule_score, 0) as rule_score,
        coalesce(model_scores.score, 0) as model_score,
        {{ noisy_or([
            'coalesce(rule_scores.rule_score, 0)',
            'cast(coalesce(model_scores.score, 0) as numeric)'
        ], digits=none) }} as rules_model_score
    from transactions
    left join truth
        on transactions.event_id = truth.event_id
    left join rule_scores
        on transactions.event_id = rule_scores.event_id
    left join model_scores
        on transactions.event_id = model_scores.event_id
)

select * from final
