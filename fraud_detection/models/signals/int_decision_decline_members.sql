-- The transaction of each decision decline: the payment the service decided.
with final as (
    select
        signal_id as signal_id,
        signal_type as signal_type,
        event_id as event_id
    from {{ ref('mv_decision_declines') }}
)

select * from final
