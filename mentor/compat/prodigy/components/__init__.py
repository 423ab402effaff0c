"""``prodigy.components``: loaders, streams, preprocessing, sorters and the database."""
