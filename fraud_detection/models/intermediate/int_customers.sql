-- The current KYC profile of each customer (the newest valid profile event).
{% set profile_columns = topic_columns(
    'kyc_profiles', excluding=['event_id', 'event_time', 'account_ids', 'ingested_at']
) -%}

with profiles as (
    select * from {{ ref('stg_kyc_profiles_checked') }}
    where rejection_reason is null
),

ranked as (
    select
        {{ aliased_columns(profile_columns) }},
        account_ids[1] as primary_account_id,
        event_time as profile_updated_at,
        row_number() over (
            partition by customer_id order by event_time desc, event_id desc
        ) as profile_rank
    from profiles
),

final as (
    select
        {{ aliased_columns(
            ['customer_id', 'primary_account_id'] + profile_columns[1:] + ['profile_updated_at']
        ) }}
    from ranked
    where profile_rank <= 1
)

select * from final
