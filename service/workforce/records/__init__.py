"""A worker's training, certificates to work (持证上岗) and discipline records."""
