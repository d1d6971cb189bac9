"""The domain errors services raise besides Django's ValidationError and PermissionDenied."""


class Conflict(Exception):
    """The object is not in a state that allows the action (it changed meanwhile, or the
    action does not apply): the API answers 409, pages show the message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
