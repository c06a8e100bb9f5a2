"""HTTP clients for the two services, each parsing the wire into core types. No Qt."""
