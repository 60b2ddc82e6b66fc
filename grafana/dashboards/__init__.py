"""The "Fraud Operations Centre" dashboard, generated with grafana-foundation-sdk.

`python -m grafana.dashboards` writes the JSON that Grafana provisions; the committed file must
equal what the code generates (a test regenerates it and compares).
"""
