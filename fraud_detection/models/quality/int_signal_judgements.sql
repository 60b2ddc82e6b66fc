-- Every detection judged against the ground truth: a true positive when it falls in an injected
-- fraud instance of the same customer ([started_at, ended_at + grace]); otherwise a false
-- positive, attributed to the look-alike episode of the same customer it falls in (the earliest
-- started, when several), or 'unattributed'.
with signals as (
    select signal_id, signal_type, customer_id, account_id, detected_at
    from {{ ref('mv_signals') }}
),

fraud_labels as (
    select instance_id, customer_id, started_at, ended_at from {{ ref('int_fraud_labels') }}
),

lookalike_labels as (
    select episode_id, kind, customer_id, started_at, ended_at
    from {{ ref('int_lookalike_labels') }}
),

fraud_matches as (
    select
        signals.signal_id as signal_id,
        count(fraud_labels.instance_id) as matching_instances
    from signals
    left join fraud_labels
        on signals.customer_id = fraud_labels.customer_id
        and {{ in_label_window('signals.detected_at', 'fraud_labels') }}
    group by signals.signal_id
),

lookalike_matches as (
    select
        signals.signal_id as signal_id,
        lookalike_labels.episode_id as episode_id,
        lookalike_labels.kind as kind,
        row_number() over (
            partition by signals.signal_id
            order by lookalike_labels.started_at, lookalike_labels.episode_id
        ) as match_rank
    from signals
    inner join lookalike_labels
        on signals.customer_id = lookalike_labels.customer_id
        and {{ in_label_window('signals.detected_at', 'lookalike_labels') }}
),

first_lookalike as (
    select signal_id, episode_id, kind from lookalike_matches
    where match_rank <= 1
),

final as (
    select
        signals.signal_id as signal_id,
        signals.signal_type as signal_type,
        signals.customer_id as customer_id,
        signals.account_id as account_id,
        signals.detected_at as detected_at,
        fraud_matches.matching_instances > 0 as is_true_positive,
        case
            when fraud_matches.matching_instances = 0 then first_lookalike.episode_id
        end as lookalike_episode_id,
        case
            when fraud_matches.matching_instances = 0
                then coalesce(first_lookalike.kind, 'unattributed')
        end as false_positive_kind
    from signals
    inner join fraud_matches
        on signals.signal_id = fraud_matches.signal_id
    left join first_lookalike
        on signals.signal_id = first_lookalike.signal_id
)

select * from final
