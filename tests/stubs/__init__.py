"""Tiny real Gradio apps that stand in for misbehaving Spaces."""
