-- Drift of the model's live features, one row per model version and event-time window, as the
-- scorer reported it (scoring/drift.py computes PSI and KS; thresholds are SCORING_ settings).
with reports as (
    select
        model_version, window_start, window_end, records, drifted_features, max_psi,
        max_psi_feature, max_ks, ingested_at
    from {{ ref('src_model_drift') }}
    where
        {{ within_input_retention('ingested_at') }}
        and model_version is not null
        and window_start is not null
),

ranked as (
    select
        model_version as model_version,
        window_start as window_start,
        window_end as window_end,
        records as records,
        drifted_features as drifted_features,
        max_psi as max_psi,
        max_psi_feature as max_psi_feature,
        max_ks as max_ks,
        row_number() over (
            partition by model_version, window_start order by ingested_at
        ) as delivery_rank
    from reports
),

final as (
    select
        model_version as model_version,
        window_start as window_start,
        window_end as window_end,
        records as records,
        drifted_features as drifted_features,
        max_psi as max_psi,
        max_psi_feature as max_psi_feature,
        max_ks as max_ks,
        coalesce(drifted_features, '') <> '' as is_drifted
    from ranked
    where delivery_rank <= 1
)

select * from final
