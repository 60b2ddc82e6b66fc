{#- Generated from common/contract.yml by `make contract`: edit that file, not this one. -#}
{% macro contract() -%}
{%- set contract_yaml -%}
signals:
  velocity:
    model: mv_velocity_alerts
    members: int_velocity_members
    input_span:
    - window: velocity_window_seconds
      unit: seconds
      windows: 2
    - window: velocity_sustained_window_minutes
      unit: minutes
      windows: 2
  geo_impossible:
    model: mv_geo_impossible_trips
    members: int_geo_impossible_members
    input_span:
      window: geo_max_gap_minutes
      unit: minutes
      windows: 1
  device_anomaly:
    model: mv_device_anomalies
    members: int_device_anomaly_members
  cnp_spike:
    model: mv_cnp_spike
    members: int_cnp_spike_members
    input_span:
    - window: cnp_spike_window_minutes
      unit: minutes
      windows: 2
    - window: cnp_drip_window_minutes
      unit: minutes
      windows: 2
    - window: cnp_merchant_window_minutes
      unit: minutes
      windows: 3
  login_storm:
    model: mv_login_failure_storm
    input_span:
      window: login_storm_window_seconds
      unit: seconds
      windows: 2
  structuring:
    model: mv_structuring_detection
    members: int_structuring_members
    input_span:
    - window: structuring_window_minutes
      unit: minutes
      windows: 2
    - window: structuring_cumulative_window_minutes
      unit: minutes
      windows: 1
    - window: structuring_fan_in_window_minutes
      unit: minutes
      windows: 2
  correlated_alerts:
    model: mv_correlated_alert_burst
    input_span:
      window: correlated_window_minutes
      unit: minutes
      windows: 2
  account_takeover:
    model: mv_account_takeover
    members: int_account_takeover_members
    input_span:
    - window: takeover_window_minutes
      unit: minutes
      windows: 2
    - window: takeover_payee_history_minutes
      unit: minutes
      windows: 2
    - window: takeover_profile_change_window_minutes
      unit: minutes
      windows: 2
  ml_anomaly:
    model: mv_ml_anomaly
    learned: true
  decision_decline:
    model: mv_decision_declines
    members: int_decision_decline_members
  decision_review:
    model: mv_decision_reviews
    members: int_decision_review_members
scenarios:
  velocity_burst:
    primary: velocity
  geo_impossible_travel:
    primary: geo_impossible
  account_takeover:
    primary: account_takeover
    also:
    - device_anomaly
  card_testing:
    primary: cnp_spike
  login_storm:
    primary: login_storm
  structuring:
    primary: structuring
  compound_fraud:
    primary: correlated_alerts
  authorised_push_payment: {}
outcomes:
  confirmed_fraud:
    count_column: confirmed_fraud
  false_positive:
    count_column: false_positives
  benign_but_useful:
    count_column: benign_but_useful
channels:
- pos
- atm
- ecommerce
- phone
- transfer
card_not_present_channels:
- ecommerce
- phone
topics:
  sources:
  - transactions
  - logins
  - card_events
  - alerts
  - kyc_profiles
  - fraud_labels
  - lookalike_labels
  - ml_scores
  - model_drift
  - decisions
  sinks:
    flagged_transactions: transactions.flagged
    fraud_cases: fraud_cases
    transaction_features: transaction_features
{%- endset -%}
{{ return(fromyaml(contract_yaml)) }}
{%- endmacro %}
