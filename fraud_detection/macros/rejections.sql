{#- The rejections every topic's check shares (models/staging/stg_*_checked.sql), as `when`
    branches of its rejection_reason case, called at the case's indentation. -#}

{#- No event time, or one further ahead of ingestion than max_future_skew_minutes. -#}
{% macro reject_bad_event_time() -%}
when event_time is null then 'missing_event_time'
            when event_time > ingested_at + interval '{{ var("max_future_skew_minutes") }} minutes'
                then 'future_event_time'
{%- endmacro %}

{#- A position missing or off the globe. -#}
{% macro reject_bad_coordinates(latitude, longitude) -%}
when {{ latitude }} is null or {{ longitude }} is null
                or {{ latitude }} < -90 or {{ latitude }} > 90
                or {{ longitude }} < -180 or {{ longitude }} > 180 then 'invalid_coordinates'
{%- endmacro %}
