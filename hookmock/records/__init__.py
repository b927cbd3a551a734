"""Records beneath everything else: how an attempt ended, what went over the wire, and the
masks that keep secrets out of text."""
