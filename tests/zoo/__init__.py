"""A zoo of small real Gradio apps, one per API shape Diorama must turn into a tool (see `apps.ZOO`)."""

from tests.zoo.apps import ZOO

__all__ = ["ZOO"]
