"""The Gradio UI and API of Diorama."""
