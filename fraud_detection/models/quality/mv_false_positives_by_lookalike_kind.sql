-- Per look-alike kind: honest episodes, those the rules bothered, and the false-positive
-- detections attributed to the kind; detections in no episode count as 'unattributed'.
with false_positives as (
    select false_positive_kind, lookalike_episode_id from {{ ref('int_signal_judgements') }}
    where not is_true_positive
),

episodes as (
    select episode_id, kind from {{ ref('int_lookalike_labels') }}
),

per_kind as (
    select
        false_positive_kind as lookalike_kind,
        count(*) as false_positive_detections,
        count(distinct lookalike_episode_id) as episodes_flagged
    from false_positives
    group by false_positive_kind
),

episodes_per_kind as (
    select
        kind as lookalike_kind,
        count(*) as episodes
    from episodes
    group by kind
),

final as (
    select
        coalesce(per_kind.lookalike_kind, episodes_per_kind.lookalike_kind) as lookalike_kind,
        coalesce(episodes_per_kind.episodes, 0) as episodes,
        coalesce(per_kind.episodes_flagged, 0) as episodes_flagged,
        round(
            cast(coalesce(per_kind.episodes_flagged, 0) as numeric)
            / cast(nullif(episodes_per_kind.episodes, 0) as numeric), 4
        ) as flagged_share,
        coalesce(per_kind.false_positive_detections, 0) as false_positive_detections
    from per_kind
    full outer join episodes_per_kind
        on per_kind.lookalike_kind = episodes_per_kind.lookalike_kind
)

select * from final
