"""Job queues: the in-process runner and the Celery adapter."""
