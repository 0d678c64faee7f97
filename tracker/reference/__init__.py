"""Reference data that comes from packages, not from users: Japan's municipalities."""
