"""Tenant pay components: their definitions, formulas, imported monthly amounts and the page and import."""
