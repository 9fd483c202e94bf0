"""Integrations around the estimators: persistence, export to scikit-learn and
ONNX, plotting and callbacks. Each optional dependency is imported lazily."""
