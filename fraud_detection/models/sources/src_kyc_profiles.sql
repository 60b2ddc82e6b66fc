{{ kafka_source('kyc_profiles') }}
