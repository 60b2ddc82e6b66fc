{#- Rule sets (rules/<version>.yml, docs/rules.md). A run builds the live views, or, with
    --vars '{rule_set_role: shadow, ...candidate rules}', the candidate's signal views beside them:
    the models of models/signals get a `shadow_` prefix and models/shadow compares the two. A
    shadow run builds nothing else (the other folders are disabled), so shadow never feeds risk,
    cases, sinks or alerts. -#}
{% macro rule_set_role() -%}
    {%- set role = var('rule_set_role', 'live') -%}
    {%- if role not in ('live', 'shadow') -%}
        {{ exceptions.raise_compiler_error(
            "rule_set_role: must be live or shadow, got '" ~ role ~ "'") }}
    {%- endif -%}
    {{ return(role) }}
{%- endmacro %}

{% macro is_shadow_run() -%}
    {{ return(rule_set_role() == 'shadow') }}
{%- endmacro %}

{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
    {%- set name = default__generate_alias_name(custom_alias_name, node) | trim -%}
    {%- if is_shadow_run() and node.resource_type == 'model' and node.fqn[1] == 'signals' -%}
        {{ 'shadow_' ~ name }}
    {%- else -%}
        {{ name }}
    {%- endif -%}
{%- endmacro %}

{#- A live view by name, for the shadow comparison (in a shadow run ref() names shadow views). -#}
{% macro live_relation(name) -%}
{{ api.Relation.create(database=target.database, schema=target.schema, identifier=name) }}
{%- endmacro %}

{#- The rule history: every promote and rollback (who, when, from, to, why), written by
    `python -m rules` over the PostgreSQL protocol. A plain table dbt creates when missing and
    never drops; mv_rule_history shows it to Grafana and the case service. -#}
{% macro rule_history_columns() -%}
    {{ return([
        ('change_id', 'varchar'),
        ('changed_at', 'timestamptz'),
        ('action', 'varchar'),
        ('from_version', 'varchar'),
        ('to_version', 'varchar'),
        ('changed_by', 'varchar'),
        ('reason', 'varchar'),
        ('rebuilt_models', 'varchar'),
    ]) }}
{%- endmacro %}

{% macro create_rule_history() %}
create table if not exists {{ target.schema }}.rule_history (
    {%- for name, data_type in rule_history_columns() %}
    {{ name }} {{ data_type }},
    {%- endfor %}
    primary key (change_id)
)
{% endmacro %}

{#- `dbt run-operation ensure_rule_history`: an operation's rendered text is never executed, so
    this runs the statement (what the on-run-start hook does before a dbt run). -#}
{% macro ensure_rule_history() %}
    {% do run_query(create_rule_history()) %}
{% endmacro %}
