-- A candidate rule set in shadow against the live rules, per signal type, on the same traffic:
-- detections of each, those both make, those only one makes, and how many of each fall in an
-- injected instance of the same customer ([started_at, ended_at + grace], as in detection quality).
-- Built only by a shadow run (`make rules-shadow`), where ref('mv_signals') is the candidate's.
with live_signals as (
    select signal_id, signal_type, customer_id, detected_at
    from {{ live_relation('mv_signals') }}
),

shadow_signals as (
    select signal_id, signal_type, customer_id, detected_at
    from {{ ref('mv_signals') }}
),

labels as (
    select instance_id, customer_id, started_at, ended_at from {{ ref('stg_fraud_labels') }}
),

tagged as (
    select
        signal_id as signal_id,
        signal_type as signal_type,
        customer_id as customer_id,
        detected_at as detected_at,
        1 as in_live,
        0 as in_shadow
    from live_signals
    union all
    select
        signal_id as signal_id,
        signal_type as signal_type,
        customer_id as customer_id,
        detected_at as detected_at,
        0 as in_live,
        1 as in_shadow
    from shadow_signals
),

-- One row per detection either rule set makes (a signal id names the same detection in both).
detections as (
    select
        signal_id as signal_id,
        signal_type as signal_type,
        customer_id as customer_id,
        detected_at as detected_at,
        max(in_live) as in_live,
        max(in_shadow) as in_shadow
    from tagged
    group by signal_id, signal_type, customer_id, detected_at
),

judged as (
    select
        detections.signal_id as signal_id,
        detections.signal_type as signal_type,
        detections.in_live as in_live,
        detections.in_shadow as in_shadow,
        count(labels.instance_id) as matching_instances
    from detections
    left join labels
        on detections.customer_id = labels.customer_id
        and detections.detected_at >= labels.started_at
        and detections.detected_at
        <= labels.ended_at + interval '{{ var("label_match_grace_minutes") }} minutes'
    group by detections.signal_id, detections.signal_type, detections.in_live, detections.in_shadow
),

final as (
    select
        signal_type as signal_type,
        cast(sum(in_live) as bigint) as live_detections,
        cast(sum(in_shadow) as bigint) as shadow_detections,
        count(*) filter (where in_live = 1 and in_shadow = 1) as both_detections,
        count(*) filter (where in_live = 0) as shadow_only_detections,
        count(*) filter (where in_shadow = 0) as live_only_detections,
        count(*) filter (where in_live = 1 and matching_instances > 0) as live_true_positives,
        count(*) filter (where in_shadow = 1 and matching_instances > 0) as shadow_true_positives
    from judged
    group by signal_type
)

select * from final
