"""WSGI entry for the benchmarks: the product app plus the floors blueprint.

    gunicorn 'bench.app:application'

The floors (bench/floors.py) are served under /_floor/ by this entry only.
"""

from bench.floors import bp as floors
from tracker import create_app


def make_app():
    """The product as configured by the environment, with the floors added."""
    app = create_app()
    app.register_blueprint(floors)
    return app


application = make_app()
