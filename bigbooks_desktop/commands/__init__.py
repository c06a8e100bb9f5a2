"""One module per `bigbooks` verb; each exposes `register(subparsers)`."""
