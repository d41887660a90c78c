"""Prefect flows: short, idempotent runs that orchestrate the tasks."""
