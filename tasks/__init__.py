"""Prefect tasks: thin, typed wrappers with retries around the plain functions of `cascade`."""
