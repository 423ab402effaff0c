"""``prodigy.models``: the entity recognizer, text classifier and pattern matcher in the loop."""
