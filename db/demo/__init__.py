"""Demo data written for this project, loaded into an empty development database."""
