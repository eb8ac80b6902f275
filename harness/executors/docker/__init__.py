"""The docker backend: images, containers and how the host sees into them."""
