-- Every login attempt in input retention, typed, with the reason it is unusable (NULL when valid).
with source_rows as (
    select * from {{ ref('src_logins') }}
    where {{ within_input_retention('ingested_at') }}
),

checked as (
    select
        {{ aliased_columns(topic_columns('logins')) }},
        case
            when event_id is null or customer_id is null or device_id is null then 'missing_id'
            {{ reject_bad_event_time() }}
            when success is null then 'missing_outcome'
            when auth_method is null or auth_method not in ('password', 'biometric', 'otp')
                then 'unknown_auth_method'
            when failure_reason not in ('bad_password', 'bad_otp', 'locked')
                then 'unknown_failure_reason'
            when profile_change not in ('device_enrolled', 'contact_changed')
                then 'unknown_profile_change'
            {{ reject_bad_coordinates('latitude', 'longitude') }}
        end as rejection_reason
    from source_rows
),

final as (
    select * from checked
)

select * from final
