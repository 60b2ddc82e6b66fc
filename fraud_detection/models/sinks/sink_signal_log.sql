{#- Every new detection into the signal log (RisingWave only). Append-only: the deletes of
    detections leaving retention are dropped, so the log keeps them; the table keeps the first
    row of each signal_id. -#}
create sink if not exists {{ this }} into {{ signal_log_relation() }} as
select
    {%- for name, data_type in signal_log_columns() %}
    {{ name }} as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
from {{ ref('mv_signals') }}
with (type = 'append-only', force_append_only = 'true')
