-- How each rule serves the analysts: detections (hits), cases closed carrying the signal, their
-- outcomes, the false-positive ratio and the median handling time (from the first analyst
-- decision on a case to its closure: both on the case service's clock, whereas a case opens at
-- its first signal's event time, which a replay sets in the past), beside the precision measured
-- on ground-truth labels. A closed case counts for every
-- signal type in the reason codes it had when it was closed. A view on PostgreSQL (live).
{{ config(materialized=('materialized_view' if target.type == 'risingwave' else 'view')) }}
{%- set weights = var('risk_weights') %}
with signal_types as (
    select distinct signal_type from {{ ref('scenario_signals') }}
),

signals as (
    select signal_id, signal_type from {{ ref('mv_signals') }}
),

case_status as (
    select case_id, status, outcome, reason_codes, last_decided_at
    from {{ ref('mv_case_status') }}
),

first_decisions as (
    select
        case_id as case_id,
        min(decided_at) as first_decided_at
    from {{ source('case_store', 'case_decisions') }}
    group by case_id
),

label_quality as (
    select signal_type, precision from {{ ref('mv_detection_quality_by_signal') }}
),

hits as (
    select
        signal_type as signal_type,
        count(*) as hits
    from signals
    group by signal_type
),

closed_cases as (
    select
        case_status.case_id as case_id,
        case_status.outcome as outcome,
        ',' || case_status.reason_codes || ',' as reason_list,
        cast(
            extract(epoch from case_status.last_decided_at)
            - extract(epoch from first_decisions.first_decided_at)
            as double precision
        ) as time_to_close_s
    from case_status
    inner join first_decisions
        on case_status.case_id = first_decisions.case_id
    where case_status.status = 'closed'
),

closed_case_signals as (
{%- for signal_type in weights %}
    select
        '{{ signal_type }}' as signal_type,
        case_id as case_id,
        outcome as outcome,
        time_to_close_s as time_to_close_s
    from closed_cases
    where reason_list like '%,{{ signal_type }},%'
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- endfor %}
),

per_signal as (
    select
        signal_type as signal_type,
        count(*) as cases_closed,
        count(*) filter (where outcome = 'confirmed_fraud') as confirmed_fraud,
        count(*) filter (where outcome = 'false_positive') as false_positives,
        count(*) filter (where outcome = 'benign_but_useful') as benign_but_useful,
        {{ median('time_to_close_s') }} as median_time_to_close_s
    from closed_case_signals
    group by signal_type
),

final as (
    select
        signal_types.signal_type as signal_type,
        coalesce(hits.hits, 0) as hits,
        coalesce(per_signal.cases_closed, 0) as cases_closed,
        coalesce(per_signal.confirmed_fraud, 0) as confirmed_fraud,
        coalesce(per_signal.false_positives, 0) as false_positives,
        coalesce(per_signal.benign_but_useful, 0) as benign_but_useful,
        round(
            cast(per_signal.false_positives as numeric)
            / cast(nullif(per_signal.cases_closed, 0) as numeric), 4
        ) as false_positive_ratio,
        round(
            cast(per_signal.confirmed_fraud as numeric)
            / cast(nullif(per_signal.cases_closed, 0) as numeric), 4
        ) as analyst_precision,
        label_quality.precision as label_precision,
        round(cast(per_signal.median_time_to_close_s as numeric), 1) as median_time_to_close_s
    from signal_types
    left join hits
        on signal_types.signal_type = hits.signal_type
    left join per_signal
        on signal_types.signal_type = per_signal.signal_type
    left join label_quality
        on signal_types.signal_type = label_quality.signal_type
)

select * from final
