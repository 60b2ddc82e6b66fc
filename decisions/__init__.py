"""The decision service: approve, review or decline one transaction while it is authorised."""
