"""Scratch buffers: reused arrays that are never part of an object's state.

A layer, activation or loss that reuses memory across training steps keeps it in
attributes named ``_scratch_<what>`` (buffers to write into) or ``_cache_<what>``
(what a forward pass keeps for its backward pass). ``HoldsScratch`` drops both
kinds on pickling, deep-copying and ``release``, so a saved model holds only its
parameters and settings.

This module is part of the NumPy core: it imports no scikit-learn.
"""

import math

import numpy as np

#: Name prefixes of the attributes ``HoldsScratch`` treats as transient.
TRANSIENT_PREFIXES = ("_scratch", "_cache")


class HoldsScratch:
    """Mixin for objects that keep scratch buffers and caches.

    Every instance attribute whose name starts with ``_scratch`` or ``_cache`` is
    saved as None by ``__getstate__`` (pickle, deepcopy, ``skmlp``'s
    persistence), and set to None by ``release``.
    """

    def __getstate__(self):
        state = self.__dict__.copy()
        for key in state:
            if key.startswith(TRANSIENT_PREFIXES):
                state[key] = None
        return state

    def release(self):
        """Drop every scratch buffer and cache (after fit, before pickling)."""
        for key in self.__dict__:
            if key.startswith(TRANSIENT_PREFIXES):
                self.__dict__[key] = None

    def scratch(self, name, shape, dtype):
        """A reusable array of ``shape`` and ``dtype``, kept in attribute ``name``.

        One flat buffer per name serves every shape: it grows when a larger array
        is asked for and is shared otherwise, so the rows of a smaller (last)
        batch are a view of the same memory. Its content is undefined.

        Parameters
        ----------
        name : str
            Attribute holding the buffer; starts with ``_scratch``.
        shape : tuple of int
        dtype : numpy dtype

        Returns
        -------
        buffer : ndarray of shape ``shape``
        """
        view = self.__dict__.get(name)
        if view is not None and view.shape == shape and view.dtype == dtype:
            return view  # the common case: the same shape as last time
        # The attribute holds the last view; its base is the flat buffer.
        flat = None if view is None else view.base
        size = math.prod(shape)
        if flat is None or flat.dtype != dtype or flat.size < size:
            flat = np.empty(size, dtype=dtype)  # (size,)
        view = flat[:size].reshape(shape)  # shape
        setattr(self, name, view)
        return view

    def scratch_like(self, name, like, dtype=None):
        """``scratch(name, like.shape, dtype or like.dtype)``."""
        return self.scratch(name, like.shape, like.dtype if dtype is None else dtype)
