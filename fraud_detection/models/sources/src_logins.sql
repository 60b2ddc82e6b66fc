{{ kafka_source('logins') }}
