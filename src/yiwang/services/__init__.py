"""政务服务事项: service items with their 实施清单 elements, materials, guides and themes (一件事)."""
