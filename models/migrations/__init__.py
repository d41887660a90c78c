"""The schema's history as Alembic revisions (versions/), applied by `cascade db upgrade` and by init_db."""
