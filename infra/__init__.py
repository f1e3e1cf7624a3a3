"""What domain/ needs from the outside world, below it: settings, file storage,
counters, the Redis batch, job kicks by name, geocoding."""
