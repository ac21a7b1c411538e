"""Compliance alerts: the rules of service/workforce/compliance.py applied to
the tenant's data, kept as alerts people can act on and acknowledge."""
