-- Every rule set change (promote, rollback) in the order it happened: who, when, from, to, why, and
-- which views the change rebuilt. Grafana draws each as an annotation; the case service shows the
-- version that was live when a case opened. A view on PostgreSQL, so a change shows at once there
-- too (no rebuild).
{{ config(materialized=('materialized_view' if target.type == 'risingwave' else 'view')) }}
with changes as (
    select
        change_id, changed_at, action, from_version, to_version, changed_by, reason, rebuilt_models
    from {{ source('log', 'rule_history') }}
),

final as (
    select
        change_id as change_id,
        changed_at as changed_at,
        action as action,
        from_version as from_version,
        to_version as to_version,
        changed_by as changed_by,
        reason as reason,
        rebuilt_models as rebuilt_models
    from changes
)

select * from final
