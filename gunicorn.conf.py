"""gunicorn settings read from the working directory: production (README,
Deployment), `make bench` and the tests' servers all start gunicorn from the
repository, so every one of them runs its workers this way.

Only the garbage collector is set here, and why is measured: on the pipeline
board (bench/, issue 6) one request in ten took 100-150 ms longer than the
others. Python's gc.callbacks showed a full (generation 2) collection in
exactly those requests: it walked the ~150,000 objects every worker holds for
its whole life (modules, SQLAlchemy's mappers, compiled templates), and it
ran every ~9 requests because a page of ~1,000 filter options and cards pushes
enough new objects into the old generation to set it off.
"""

import gc

# Young collections after this many new container objects rather than 700: a
# page builds thousands of short-lived objects that reference counting frees
# anyway; with 700 a board request ran ~14 collections and promoted its own
# live objects towards the old generation, whose collections are the slow ones.
YOUNG_GENERATION_THRESHOLD = 10_000


def post_worker_init(worker):
    """Once the worker has loaded the app: move everything it holds so far to
    the permanent generation, which collections never walk (gc.freeze()), and
    collect young objects less often. Full collections then cost a few
    milliseconds instead of ~100."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *gc.get_threshold()[1:])
    worker.log.debug("gc frozen after loading the app: %d objects", gc.get_freeze_count())
