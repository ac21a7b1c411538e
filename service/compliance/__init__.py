"""Compliance alerts: the rules of ``rules`` applied to
the tenant's data, kept as alerts people can act on and acknowledge."""
