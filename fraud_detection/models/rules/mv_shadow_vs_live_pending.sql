-- mv_shadow_vs_live before any shadow run: its columns and no rows, so the Rule changes
-- dashboard shows "no shadow run yet" instead of failing on a missing view. A plain view (no
-- streaming job). A shadow run (`make rules-shadow`, a full refresh) replaces it with the
-- comparison (models/shadow); a later live run keeps an existing relation of that name.
{{ config(materialized='view', alias='mv_shadow_vs_live') }}
{#- The comparison's columns (models/shadow/mv_shadow_vs_live.sql), in its order. -#}
{%- set counts = [
    'live_detections', 'shadow_detections', 'both_detections', 'shadow_only_detections',
    'live_only_detections', 'live_true_positives', 'shadow_true_positives'] %}
{%- for entry in contract()['outcomes'].values() %}
{%- for role in ['live', 'shadow'] %}
{%- do counts.append(role ~ '_' ~ entry['count_column']) %}
{%- endfor %}
{%- endfor %}
with no_shadow_run as (
    select
        cast(null as varchar) as signal_type,
        {%- for column in counts %}
        cast(null as bigint) as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
),

final as (
    select
        signal_type as signal_type,
        {%- for column in counts %}
        {{ column }} as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from no_shadow_run
    where signal_type is not null
)

select * from final
