"""Records beneath everything else: how an attempt ended, what went over the wire, the masks
that keep secrets out of text, and the limits the transports and the engine share."""
