"""Tests of the local BigCommerce and FreshBooks sandbox (a package: helpers import relatively)."""
