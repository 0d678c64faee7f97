"""`flask backup create` / `flask backup restore FILE`: SQLite and PostgreSQL."""

from flask.cli import AppGroup

backup_cli = AppGroup("backup", help="Back up and restore the database.")
