"""Paiqian (派遣云): the tenant-scoped product, one package per domain."""
