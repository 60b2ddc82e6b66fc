{#- Every detection into the signal log once it is final, in the last part of its retention
    (macros/signal_log.sql; RisingWave only). Append-only: the delete at expiry is dropped, so the
    log keeps it; a detection retracted before (a late input) never reaches the log. -#}
create sink if not exists {{ this }} into {{ signal_log_relation() }} as
select
    {%- for name, data_type in signal_log_columns() %}
    {{ name }} as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
from {{ ref('mv_signals') }}
where detected_at + interval '{{ signal_log_after_minutes() }} minutes' <= now()
with (type = 'append-only', force_append_only = 'true')
