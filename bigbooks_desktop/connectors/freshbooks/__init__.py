"""FreshBooks: async client, OAuth 2 sign-in with single-use rotating refresh tokens."""
