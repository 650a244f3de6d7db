"""Background jobs (RQ). Job functions are thin: they run a service inside ``jobs.runner``."""
