-- A candidate rule set in shadow against the live rules, per signal type, on the same traffic:
-- detections of each, those both make, those only one makes, how many of each fall in an
-- injected instance of the same customer ([started_at, ended_at + grace], as in detection
-- quality), and how many of each an analyst judged. A detection is judged with an outcome when
-- a closed case of its account (live mv_case_status) spans it: case_opened_at <= detected_at <=
-- last_decided_at (the closure), the detections the case service shows as the case's story. A
-- detection counts once per outcome, however many closed cases of that outcome span it.
-- Built only by a shadow run (`make rules-shadow`), where ref('mv_signals') is the candidate's
-- and the cases folder is disabled: live views are read by name (live_relation).
{#- Analyst outcomes (common/contract.yml) and the columns that count them, live then shadow per
    outcome. -#}
{%- set outcomes = contract()['outcomes'] %}
{%- set judged_columns = [] %}
{%- for outcome, entry in outcomes.items() %}
{%- set column = entry['count_column'] %}
{%- for role in ['live', 'shadow'] %}
{%- do judged_columns.append((role, outcome, column)) %}
{%- endfor %}
{%- endfor %}
with live_signals as (
    select signal_id, signal_type, customer_id, account_id, detected_at
    from {{ live_relation('mv_signals') }}
),

shadow_signals as (
    select signal_id, signal_type, customer_id, account_id, detected_at
    from {{ ref('mv_signals') }}
),

labels as (
    select instance_id, customer_id, started_at, ended_at from {{ ref('int_fraud_labels') }}
),

case_status as (
    select case_id, status, outcome, account_id, case_opened_at, last_decided_at
    from {{ live_relation('mv_case_status') }}
),

closed_cases as (
    select
        case_id as case_id,
        outcome as outcome,
        account_id as account_id,
        case_opened_at as case_opened_at,
        last_decided_at as closed_at
    from case_status
    where status = 'closed'
),

tagged as (
    select
        signal_id as signal_id,
        signal_type as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        detected_at as detected_at,
        1 as in_live,
        0 as in_shadow
    from live_signals
    union all
    select
        signal_id as signal_id,
        signal_type as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        detected_at as detected_at,
        0 as in_live,
        1 as in_shadow
    from shadow_signals
),

-- One row per detection either rule set makes (a signal id names the same detection in both).
detections as (
    select
        signal_id as signal_id,
        signal_type as signal_type,
        customer_id as customer_id,
        account_id as account_id,
        detected_at as detected_at,
        max(in_live) as in_live,
        max(in_shadow) as in_shadow
    from tagged
    group by signal_id, signal_type, customer_id, account_id, detected_at
),

labelled as (
    select
        detections.signal_id as signal_id,
        detections.signal_type as signal_type,
        detections.account_id as account_id,
        detections.detected_at as detected_at,
        detections.in_live as in_live,
        detections.in_shadow as in_shadow,
        count(labels.instance_id) as matching_instances
    from detections
    left join labels
        on detections.customer_id = labels.customer_id
        and {{ in_label_window('detections.detected_at', 'labels') }}
    group by
        detections.signal_id,
        detections.signal_type,
        detections.account_id,
        detections.detected_at,
        detections.in_live,
        detections.in_shadow
),

judged as (
    select
        labelled.signal_id as signal_id,
        labelled.signal_type as signal_type,
        labelled.in_live as in_live,
        labelled.in_shadow as in_shadow,
        labelled.matching_instances as matching_instances,
        {%- for outcome in outcomes %}
        count(closed_cases.case_id) filter (
            where closed_cases.outcome = '{{ outcome }}'
        ) as {{ outcome }}_cases{{ "," if not loop.last }}
        {%- endfor %}
    from labelled
    left join closed_cases
        on labelled.account_id = closed_cases.account_id
        and labelled.detected_at >= closed_cases.case_opened_at
        and labelled.detected_at <= closed_cases.closed_at
    group by
        labelled.signal_id,
        labelled.signal_type,
        labelled.in_live,
        labelled.in_shadow,
        labelled.matching_instances
),

final as (
    select
        signal_type as signal_type,
        cast(sum(in_live) as bigint) as live_detections,
        cast(sum(in_shadow) as bigint) as shadow_detections,
        count(*) filter (where in_live = 1 and in_shadow = 1) as both_detections,
        count(*) filter (where in_live = 0) as shadow_only_detections,
        count(*) filter (where in_shadow = 0) as live_only_detections,
        count(*) filter (where in_live = 1 and matching_instances > 0) as live_true_positives,
        count(*) filter (where in_shadow = 1 and matching_instances > 0) as shadow_true_positives,
        {%- for role, outcome, column in judged_columns %}
        count(*) filter (
            where in_{{ role }} = 1 and {{ outcome }}_cases > 0
        ) as {{ role }}_{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from judged
    group by signal_type
)

select * from final
