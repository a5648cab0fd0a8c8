"""The Diorama agent: settings, model choice, planner, runs and the chain log."""
