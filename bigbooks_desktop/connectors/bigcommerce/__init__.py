"""BigCommerce: async client, rate governor, store-level API account and app OAuth install flow."""
