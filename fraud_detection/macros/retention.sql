{#- Retention, in two bounds (docs/architecture.md, "Time and retention").

    Outputs (signals, and everything built on them) keep what was detected in the last
    retention_hours: `within_retention` on the detection time.

    Inputs (events in staging) are kept longer, by `retention_margin_hours`: the longest span of
    input that one detection depends on, plus the tolerated clock skew. A windowed count depends on
    the events of two windows (the crossing and the count just before it), a pair rule (geo) on
    one gap, a takeover on its window: each signal's `input_span` in common/contract.yml. When an
    input event finally expires, any detection its absence could create, move or remove is older
    than retention_hours, so no visible output ever changes because of expiry. -#}
{% macro within_retention(time_column) -%}
{{ time_column }} > now() - interval '{{ var("retention_hours") }} hours'
{%- endmacro %}

{% macro within_input_retention(time_column) -%}
{{ time_column }} > now() - interval '{{ input_retention_hours() }} hours'
{%- endmacro %}

{% macro retention_margin_hours() -%}
{#- Each signal's input span (common/contract.yml) is `windows` times its window var. -#}
{#- A signal with several paths lists one span per path; a path whose window var is null is off
    in this rule set and needs no input. -#}
{%- set spans = [] -%}
{%- for signal in contract()['signals'].values() if signal.get('input_span') -%}
    {%- set listed = signal['input_span'] -%}
    {%- for span in (listed if listed is sequence and listed is not mapping else [listed]) -%}
        {%- set per_minute = 60 if span['unit'] == 'seconds' else 1 -%}
        {%- if var(span['window']) is not none -%}
            {%- do spans.append(span['windows'] * var(span['window']) / per_minute) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endfor -%}
{%- set dependency_minutes = spans | max + var('max_future_skew_minutes') -%}
{{ return(((dependency_minutes / 60) | round(0, 'ceil') | int)) }}
{%- endmacro %}

{% macro input_retention_hours() -%}
{{ return(var('retention_hours') | int + retention_margin_hours()) }}
{%- endmacro %}
