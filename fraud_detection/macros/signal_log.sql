{#- The signal log: every detection once, kept after its inputs expire. It is a plain table that
    dbt creates when missing and never drops, so a `--full-refresh` keeps the history of facts.
    RisingWave fills it from mv_signals through sink_signal_log (an append-only sink: the deletes
    of expiring detections are dropped); PostgreSQL through the post-hook of mv_signals. Either
    way the first row of a signal_id wins (on conflict do nothing). -#}
{% macro signal_log_columns() -%}
    {{ return([
        ('signal_id', 'varchar'),
        ('signal_type', 'varchar'),
        ('customer_id', 'varchar'),
        ('account_id', 'varchar'),
        ('card_token', 'varchar'),
        ('detected_at', 'timestamptz'),
        ('first_event_at', 'timestamptz'),
        ('event_count', 'integer'),
        ('total_amount', 'numeric'),
        ('reason', 'varchar'),
    ]) }}
{%- endmacro %}

{% macro signal_log_relation() -%}
{{ target.schema }}.signal_log
{%- endmacro %}

{% macro create_signal_log() %}
create table if not exists {{ signal_log_relation() }} (
    {%- for name, data_type in signal_log_columns() %}
    {{ name }} {{ data_type }},
    {%- endfor %}
    primary key (signal_id)
) {{ signal_log_table_options() }}
{% endmacro %}

{#- RisingWave: an append-only table keeps its first row per key; PostgreSQL gets the same
    behaviour from the insert's `on conflict do nothing`. -#}
{% macro signal_log_table_options() %}
    {{ return(adapter.dispatch('signal_log_table_options', 'fraud_detection')()) }}
{% endmacro %}

{% macro risingwave__signal_log_table_options() -%}
append only on conflict do nothing
{%- endmacro %}

{% macro default__signal_log_table_options() -%}
{%- endmacro %}

{#- The post-hook of mv_signals on PostgreSQL: append the detections the log does not hold yet.
    A shadow run's detections are not facts: they never reach the log. -#}
{% macro append_to_signal_log() %}
    {%- if target.type == 'risingwave' or is_shadow_run() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set names = signal_log_columns() | map(attribute=0) | join(', ') -%}
insert into {{ signal_log_relation() }} ({{ names }})
select {{ names }} from {{ this }}
on conflict (signal_id) do nothing
{% endmacro %}
