"""Excel sheets imported by a job: the stored upload, its status and its outcome (migration 0023)."""
