-- Every KYC profile event, with the reason it is unusable (NULL when valid). No retention: every
-- version is a fact that events of any age are read against (int_registered_devices: when each
-- device was first registered; int_customer_profile_versions: which home, typical spend and risk
-- tier were in force when). Expiring an old version would turn the customer's registered devices
-- into new ones, raising device anomalies on honest spending, or move an earlier event's home.
-- Profiles are published when a customer is onboarded or changes, so this state grows slowly.
with source_rows as (
    select * from {{ ref('src_kyc_profiles') }}
),

checked as (
    select
        {{ aliased_columns(topic_columns('kyc_profiles')) }},
        case
            when event_id is null or customer_id is null or account_ids is null then 'missing_id'
            {{ reject_bad_event_time() }}
            when risk_tier is null or risk_tier not in ('low', 'medium', 'high')
                then 'unknown_risk_tier'
            {{ reject_bad_coordinates('home_latitude', 'home_longitude') }}
        end as rejection_reason
    from source_rows
),

final as (
    select * from checked
)

select * from final
