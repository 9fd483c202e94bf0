"""Pickled state and the coefs_/intercepts_ views of a fitted estimator.

``FittedStateMixin`` gives the estimators their ``__getstate__`` and
``__setstate__``: the network's flat buffer is pickled once (``coefs_`` and
``intercepts_`` are views into it and are bound afresh on loading), helper objects
travel as plain data (see ``_persistence``), and the state carries a format stamp
that loading checks. It also keeps ``coefs_`` and ``intercepts_`` in step with the
network when a user assigns new arrays to them.
"""

import threading

from ._ext.persistence import from_plain, to_plain

# Version of the pickled state's layout. Bump it when a change to the fitted
# attributes makes older pickles unreadable, and list here the versions this code
# still reads. Pickles made before the stamp existed have the layout of version 1.
_STATE_VERSION = 1
_READABLE_STATE_VERSIONS = (1,)
_STATE_VERSION_KEY = "_skmlp_state_version"

# Serialises copying user-assigned coefs_/intercepts_ into the network, the one
# write a prediction may make (see ``_sync_params``).
_SYNC_LOCK = threading.Lock()


class FittedStateMixin:
    """Pickling and parameter publishing for BaseSGDMLP; not for direct use.

    The host class sets ``_network`` (a ``_network.Network``) when it is fitted;
    ``coefs_`` and ``intercepts_`` are then the network's weight and bias views.
    Put this mixin before ``BaseEstimator`` in the bases, so that its
    ``__getstate__`` and ``__setstate__`` wrap scikit-learn's.
    """

    def __getstate__(self):
        # coefs_ / intercepts_ are views into the network's flat buffer: pickle the
        # buffer once and bind fresh views on loading.
        if hasattr(self, "_network"):
            self._sync_params()
        state = dict(super().__getstate__())
        if "_network" in state:
            state.pop("coefs_", None)
            state.pop("intercepts_", None)
        state[_STATE_VERSION_KEY] = _STATE_VERSION
        # Helper objects become plain data, so that skops trusts the estimator alone.
        return to_plain(state)

    def __setstate__(self, state):
        state = dict(state)
        version = state.pop(_STATE_VERSION_KEY, 1)
        if version not in _READABLE_STATE_VERSIONS:
            raise ValueError(
                f"Cannot load this {type(self).__name__}: it was pickled with skmlp "
                f"state format {version!r}, and this version of skmlp reads format(s) "
                f"{list(_READABLE_STATE_VERSIONS)}. Load it with the skmlp version "
                "that saved it, or refit the model."
            )
        super().__setstate__(from_plain(state))
        if "_network" in self.__dict__:
            self._publish_params()

    def _publish_params(self):
        """Expose the network's weight and bias views as coefs_ and intercepts_."""
        self.coefs_ = self._network.coefs
        self.intercepts_ = self._network.intercepts

    def _params_published(self):
        """Whether coefs_/intercepts_ are still the network's own views."""
        net = self._network
        coefs = getattr(self, "coefs_", None)
        intercepts = getattr(self, "intercepts_", None)
        if coefs is None or intercepts is None:
            return False
        same = len(coefs) == len(net.coefs) and len(intercepts) == len(net.intercepts)
        same = same and all(a is b for a, b in zip(coefs, net.coefs))
        return same and all(a is b for a, b in zip(intercepts, net.intercepts))

    def _sync_params(self):
        """Copy coefs_/intercepts_ into the network if the user replaced them.

        Predictions call this, possibly from many threads at once: the common
        case only reads, and the copy runs under a lock that every caller passes
        before it reads the network, so no thread computes with half-copied
        weights.
        """
        if self._params_published():
            return
        with _SYNC_LOCK:
            if self._params_published():
                return
            coefs = getattr(self, "coefs_", None)
            intercepts = getattr(self, "intercepts_", None)
            if coefs is not None and intercepts is not None:
                self._network.set_coefs(coefs, intercepts)
            self._publish_params()
