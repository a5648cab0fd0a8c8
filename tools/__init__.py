"""Diorama tools: Gradio Space endpoints as smolagents tools, built from their API schemas."""
