{#- The case service's decision store: an append-only table the service writes over the
    PostgreSQL protocol and the case views read. Created by on-run-start, never by a model, so
    `dbt run --full-refresh` cannot drop it. decision_id = case_id#seq: two writers of the same
    step of a case collide on the key and only the first is kept (RisingWave: ON CONFLICT DO
    NOTHING on the table; PostgreSQL: the insert's own ON CONFLICT DO NOTHING). -#}
{% macro create_case_decisions() %}
    {{ return(adapter.dispatch('create_case_decisions', 'fraud_detection')()) }}
{% endmacro %}

{% macro case_decision_columns() -%}
    decision_id varchar,
    case_id varchar,
    seq integer,
    action varchar,
    actor varchar,
    actor_role varchar,
    decided_at timestamptz,
    previous_status varchar,
    status varchar,
    previous_assignee varchar,
    assignee varchar,
    outcome varchar,
    note varchar,
    account_id varchar,
    severity varchar,
    reason_codes varchar,
    case_opened_at timestamptz,
    request_id varchar,
    primary key (decision_id)
{%- endmacro %}

{% macro risingwave__create_case_decisions() -%}
create table if not exists {{ target.schema }}.case_decisions (
    {{ case_decision_columns() }}
) append only on conflict do nothing
{%- endmacro %}

{% macro default__create_case_decisions() -%}
create table if not exists {{ target.schema }}.case_decisions (
    {{ case_decision_columns() }}
)
{%- endmacro %}
