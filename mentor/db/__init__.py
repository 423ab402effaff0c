"""Storage of datasets and answers (SQLite by default, PostgreSQL, MySQL/MariaDB)."""
from .database import Database, connect, validate_dataset_name

__all__ = ["Database", "connect", "validate_dataset_name"]
