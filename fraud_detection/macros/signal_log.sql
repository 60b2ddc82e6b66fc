{#- The signal log: every detection once it is final, kept after its inputs expire. It is a plain
    table that dbt creates when missing and never drops, so a `--full-refresh` keeps the history.
    A detection is final only near the end of its retention: until its inputs expire, an input
    arriving late (out of order over partitions, a backlog) can still change or retract it. So the
    log takes each detection in the last part of its retention (`signal_log_after_minutes`), and
    readers take a detection from mv_signals while it is there and from the log after
    (`logged_signals`): the same detection, the same version, at any later moment.
    RisingWave fills it through sink_signal_log (append-only: the delete at expiry is dropped);
    PostgreSQL, whose builds are snapshots at a chosen clock, through the post-hook of mv_signals. -#}
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

{#- The age at which a detection enters the log: its retention less the input margin, at most half
    of it. A retraction later than this is not seen by the log (docs/engine.md). -#}
{% macro signal_log_after_minutes() -%}
{%- set retention_minutes = var("retention_hours") | int * 60 -%}
{%- set margin_minutes = [retention_margin_hours() * 60, retention_minutes // 2] | min -%}
{{ return(retention_minutes - margin_minutes) }}
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

{#- The post-hook of mv_signals on PostgreSQL. A build is a snapshot and the clock may jump past a
    detection's last part of retention between two builds, so every visible detection is logged at
    once in its current version, and one retracted while still in retention leaves the log: after
    each build the log holds what sink_signal_log would keep, plus live detections that readers
    take from mv_signals anyway. A shadow run's detections are not facts: they never reach the log. -#}
{% macro append_to_signal_log() %}
    {%- if target.type == 'risingwave' or is_shadow_run() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set names = signal_log_columns() | map(attribute=0) | list -%}
delete from {{ signal_log_relation() }} as logged
where
    {{ within_retention('logged.detected_at') }}
    and not exists (select 1 from {{ this }} as live where live.signal_id = logged.signal_id);
insert into {{ signal_log_relation() }} ({{ names | join(', ') }})
select {{ names | join(', ') }} from {{ this }}
on conflict (signal_id) do update set
{%- for name in names if name != 'signal_id' %}
    {{ name }} = excluded.{{ name }}{{ "," if not loop.last }}
{%- endfor %}
{% endmacro %}
