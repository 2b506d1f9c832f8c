"""A Celery task looked up by its registered name, for services that queue work.

Tasks call services; a service that queues its own follow-up work (after commit) names the task instead of importing
its app's `tasks` module, so no service imports the tasks that import it. Every app imports its `tasks` module in
`AppConfig.ready()`, which registers the names in every process (web, worker, beat, management commands); a wrong
name fails at once with Celery's `NotRegistered`. The task object is the one `tasks.py` defines, so `.delay()` and
`.apply_async()` behave as they would there, eager (in-process) included.
"""

from celery import current_app


def task(name: str):
    """The registered task `name` (its module path and function name, e.g. "indicators.tasks.recompute_round")."""
    return current_app.tasks[name]
