"""Benchmarks run by ``paiqian bench ...``: they print figures, they assert nothing."""
