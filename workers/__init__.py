"""Background jobs and schedules (taskiq): built with the notifications issue."""
