"""Grafana as code: the dashboard generator and the provisioning it feeds."""
