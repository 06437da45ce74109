"""The production deployment (`make serve`): its instance's classes and the process that runs it."""
