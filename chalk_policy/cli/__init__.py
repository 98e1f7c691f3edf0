"""The chalk-policy command line."""
